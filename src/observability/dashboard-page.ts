import { createHash } from 'node:crypto';

const style = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1d2330;background:#f7f8fa}
h1{font-size:1.3rem;margin:0 0 .5rem}h2{font-size:1rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse;background:#fff;min-width:40rem}td,th{padding:.3rem .6rem;border-bottom:1px solid #e3e6ea;text-align:left}
.healthy{color:#137333}.degraded{color:#b06000}.critical{color:#c5221f}.unknown{color:#5f6368}
button{font:inherit;padding:.1rem .5rem;margin-right:.2rem}#status{margin-left:1rem;color:#5f6368}
input{font:inherit;width:20rem}li{margin:.2rem 0}`;

const script = `(() => {
  const $ = (id) => document.getElementById(id);
  const token = $('token');
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) { token.value = fromHash; history.replaceState(null, '', location.pathname); }
  const text = (tag, value, cls) => { const el = document.createElement(tag); el.textContent = String(value); if (cls) el.className = cls; return el; };
  async function steer(path, body) {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token.value }, body: JSON.stringify(body || {}) });
    const result = await response.json().catch(() => ({}));
    $('status').textContent = response.ok ? 'done' : (response.status + ': ' + (result.error || 'failed'));
    refresh();
  }
  function render(state) {
    const health = $('health');
    health.textContent = state.overview.health;
    health.className = state.overview.health;
    $('summary').textContent = state.overview.actorCount + ' actors, ' + state.overview.totalMessageRate.toFixed(1) + ' msg/s, ' + (state.overview.averageErrorRate * 100).toFixed(1) + '% errors';
    const rows = $('actors');
    rows.replaceChildren();
    for (const node of state.graph.nodes) {
      const row = document.createElement('tr');
      row.append(text('td', node.id), text('td', node.state), text('td', node.mailboxSize), text('td', node.messageRate.toFixed(1)), text('td', (node.errorRate * 100).toFixed(1) + '%'));
      const actions = document.createElement('td');
      for (const action of ['pause', 'resume']) {
        const button = text('button', action);
        button.onclick = () => steer('/api/actors/' + encodeURIComponent(node.id) + '/' + action);
        actions.append(button);
      }
      row.append(actions);
      rows.append(row);
    }
    const edges = $('edges');
    edges.replaceChildren(...state.graph.edges.map((edge) => text('li', edge.source + ' → ' + edge.destination + ': ' + edge.messageCount + ' (' + edge.messageTypes.join(', ') + ')')));
    const patterns = $('patterns');
    patterns.replaceChildren(...state.patterns.patterns.map((pattern) => text('li', '[' + pattern.patternType + ', ' + Math.round(pattern.confidence * 100) + '%] ' + pattern.description + ' ×' + pattern.occurrenceCount)));
    if (patterns.children.length === 0) patterns.append(text('li', 'none'));
  }
  async function refresh() {
    try {
      const response = await fetch('/api/state', { cache: 'no-store' });
      render(await response.json());
    } catch (error) { $('status').textContent = 'offline'; }
  }
  refresh();
  setInterval(refresh, Number(document.body.dataset.poll));
})();`;

const hash = (source: string): string => `'sha256-${createHash('sha256').update(source).digest('base64')}'`;

/** The dashboard's one self-contained page, and the content security policy that allows only its own script and style. */
export function dashboardPage(pollIntervalMs: number): { html: string; csp: string } {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>bulwark dashboard</title><style>${style}</style></head>
<body data-poll="${pollIntervalMs}">
<h1>bulwark · <span id="health" class="unknown">unknown</span></h1>
<div id="summary"></div>
<p><label>Steering token <input id="token" type="password" autocomplete="off"></label><span id="status"></span></p>
<h2>Actors</h2>
<table><thead><tr><th>actor</th><th>state</th><th>mailbox</th><th>msg/s</th><th>errors</th><th>steer</th></tr></thead><tbody id="actors"></tbody></table>
<h2>Message flow</h2><ul id="edges"></ul>
<h2>Emergent patterns</h2><ul id="patterns"></ul>
<script>${script}</script>
</body></html>`;
  const csp = `default-src 'none'; script-src ${hash(script)}; style-src ${hash(style)}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return { html, csp };
}

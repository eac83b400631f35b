import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DashboardServer,
  ObservabilityCollector,
  ObservabilityDashboard,
  SteeringController,
} from '../../src/observability/index.js';
import { Actor, ActorSystem } from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';

class Counter extends Actor<{ count: number }> {
  override state = { count: 0 };
  receive(type: string) {
    if (type === 'add') this.state.count++;
    return this.state.count;
  }
}

describe('ObservabilityDashboard', () => {
  let system: ActorSystem;
  let clock: VirtualClock;
  let collector: ObservabilityCollector;
  let dashboard: ObservabilityDashboard;

  beforeEach(() => {
    system = new ActorSystem();
    clock = new VirtualClock(10_000);
    collector = new ObservabilityCollector({ clock });
    dashboard = new ObservabilityDashboard(collector, new SteeringController(system));
  });

  afterEach(() => system.shutdown());

  it('builds the actor graph from snapshots, live status and message flows', async () => {
    await system.createActor(Counter, 'counter');
    dashboard.steering.pauseActor('counter');
    collector.recordActorSnapshot({ actorId: 'api', messageRate: 4, errorRate: 0.5 });
    collector.recordMessageFlow({ source: 'api', destination: 'counter', messageType: 'add', latencyMs: 2 });
    collector.recordMessageFlow({ source: 'api', destination: 'counter', messageType: 'get', latencyMs: 4 });
    const graph = dashboard.getActorGraph();
    expect(graph.nodes).toEqual([
      { id: 'api', state: 'running', paused: false, mailboxSize: 0, messageRate: 4, errorRate: 0.5 },
      { id: 'counter', state: 'paused', paused: true, mailboxSize: 0, messageRate: 0, errorRate: 0 },
    ]);
    expect(graph.edges).toEqual([
      {
        source: 'api',
        destination: 'counter',
        messageCount: 2,
        messageTypes: ['add', 'get'],
        averageLatencyMs: 3,
        lastSeen: 10_000,
      },
    ]);
  });

  it('returns time series of snapshot fields and numeric custom metrics over a duration', async () => {
    for (let index = 0; index < 4; index++) {
      collector.recordActorSnapshot({
        actorId: 'a',
        mailboxSize: index,
        customMetrics: { queue: index * 10, label: 'x' },
      });
      await clock.advance(60_000);
    }
    expect(dashboard.getTimeSeriesData('a', 'mailboxSize')).toEqual([
      [10_000, 0],
      [70_000, 1],
      [130_000, 2],
      [190_000, 3],
    ]);
    expect(dashboard.getTimeSeriesData('a', 'queue', 100_000)).toEqual([[190_000, 30]]);
    expect(dashboard.getTimeSeriesData('a', 'mailboxSize', 200_000)).toEqual([
      [70_000, 1],
      [130_000, 2],
      [190_000, 3],
    ]);
    expect(dashboard.getTimeSeriesData('a', 'label')).toEqual([]);
    expect(dashboard.getTimeSeriesData('missing', 'messageRate')).toEqual([]);
    expect(() => dashboard.getTimeSeriesData('a', 'messageRate', 0)).toThrow(RangeError);
  });

  it('summarises patterns by type', () => {
    collector.registerPatternDetector(() => [
      { patternType: 'hotspot', involvedActors: ['a'], confidence: 0.9, description: 'a is hot' },
      { patternType: 'drift', involvedActors: ['b'], confidence: 0.4, description: 'b drifts' },
    ]);
    collector.detectPatterns();
    const summary = dashboard.getPatternSummary();
    expect(summary).toMatchObject({ totalPatterns: 2, activePatterns: 2, byType: { hotspot: 1, drift: 1 } });
    expect(summary.patterns.map((pattern) => pattern.patternId)).toEqual(['hotspot:a', 'drift:b']);
  });

  it('renders registered visualizations', () => {
    const registration = dashboard.registerVisualization(
      'actor-count',
      (view) => view.getActorGraph().nodes.length,
    );
    expect(dashboard.getVisualizationNames()).toEqual(['actor-count']);
    expect(dashboard.renderVisualization('actor-count')).toEqual({ found: true, data: 0 });
    registration.dispose();
    expect(dashboard.renderVisualization('actor-count')).toEqual({ found: false, data: undefined });
    expect(() => dashboard.registerVisualization('bad name', () => 1)).toThrow(TypeError);
    expect(() => dashboard.registerVisualization('x', 'y' as never)).toThrow(TypeError);
  });

  it('requires a collector and a steering controller', () => {
    expect(() => new ObservabilityDashboard({} as never, dashboard.steering)).toThrow(TypeError);
    expect(() => new ObservabilityDashboard(collector, {} as never)).toThrow(TypeError);
  });
});

describe('ObservabilityDashboard.serve', () => {
  const token = 'test-token-0123456789';
  let system: ActorSystem;
  let dashboard: ObservabilityDashboard;
  let server: DashboardServer;

  beforeEach(async () => {
    system = new ActorSystem();
    const collector = new ObservabilityCollector();
    const steering = new SteeringController(system);
    steering.registerSteeringPolicy('double', (_controller, value: number) => value * 2);
    dashboard = new ObservabilityDashboard(collector, steering);
    dashboard.registerVisualization('names', (view) => view.steering.listActors());
    await system.createActor(Counter, 'counter');
    server = await dashboard.serve({ port: 0, token });
  });

  afterEach(async () => {
    await server.close();
    await system.shutdown();
  });

  const post = (
    path: string,
    body?: string,
    headers: Record<string, string> = { authorization: `Bearer ${token}` },
  ) =>
    fetch(new URL(path, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    });

  it('binds 127.0.0.1 on the chosen port and reports its address', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.token).toBe(token);
  });

  it('serves one self-contained page with a strict content security policy', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('/api/state');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/);
  });

  it('serves the system state as JSON without a token', async () => {
    const response = await fetch(new URL('/api/state', server.url));
    expect(response.status).toBe(200);
    const state = (await response.json()) as { overview: { health: string }; graph: { nodes: unknown[] } };
    expect(state.overview.health).toBe('unknown');
    expect(state.graph.nodes).toEqual([]);
    expect(await (await fetch(new URL('/api/visualizations/names', server.url))).json()).toEqual([
      'root',
      'counter',
    ]);
    expect((await fetch(new URL('/api/nothing', server.url))).status).toBe(404);
    expect((await fetch(new URL('/api/timeseries?actorId=counter', server.url))).status).toBe(400);
  });

  it('steers with the token and refuses without it or with a wrong one', async () => {
    const missing = await post('/api/actors/counter/pause', '{}', {});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post('/api/actors/counter/pause', '{}', { authorization: 'Bearer wrong' })).status).toBe(
      401,
    );
    expect(dashboard.steering.inspectActor('counter')?.paused).toBe(false);

    const paused = await post('/api/actors/counter/pause');
    expect(paused.status).toBe(200);
    expect(await paused.json()).toEqual({ ok: true, actorId: 'counter', action: 'pause' });
    expect(dashboard.steering.inspectActor('counter')?.paused).toBe(true);
    expect((await post('/api/actors/counter/resume', undefined, { 'x-bulwark-token': token })).status).toBe(
      200,
    );
    expect(dashboard.steering.inspectActor('counter')?.paused).toBe(false);
  });

  it('injects messages, modifies state and applies policies', async () => {
    expect((await post('/api/actors/counter/messages', JSON.stringify({ type: 'add' }))).status).toBe(200);
    expect((await post('/api/actors/counter/state', JSON.stringify({ count: 41 }))).status).toBe(200);
    await expect(system.getActor('counter')!.ask('add')).resolves.toBe(42);
    const policy = await post('/api/policies/double', JSON.stringify({ args: [21] }));
    expect(await policy.json()).toEqual({ ok: true, policy: 'double', result: 42 });
  });

  it('answers 400 to bad JSON and bad fields, 404 to unknown actors and policies', async () => {
    const bad = await post('/api/actors/counter/state', '{not json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'The request body is not valid JSON' });
    expect((await post('/api/actors/counter/state', '[1]')).status).toBe(400);
    expect((await post('/api/actors/counter/messages', JSON.stringify({ type: 3 }))).status).toBe(400);
    expect((await post('/api/policies/double', JSON.stringify({ args: 1 }))).status).toBe(400);
    expect((await post('/api/actors/ghost/pause')).status).toBe(404);
    expect((await post('/api/policies/ghost')).status).toBe(404);
    expect((await post('/api/actors/root/pause')).status).toBe(409);
  });

  it('refuses oversized bodies and other methods', async () => {
    const small = await dashboard.serve({ token, maxBodyBytes: 8 });
    try {
      const response = await fetch(new URL('/api/actors/counter/state', small.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ count: 123_456_789 }),
      });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
    expect((await fetch(server.url, { method: 'DELETE' })).status).toBe(405);
  });

  it('generates a token when none is given, and validates its options', async () => {
    const generated = await dashboard.serve();
    try {
      expect(generated.token.length).toBeGreaterThanOrEqual(32);
      expect((await post('/api/actors/counter/pause', '{}', {})).status).toBe(401);
    } finally {
      await generated.close();
      await generated.close();
    }
    await expect(dashboard.serve({ port: -1 })).rejects.toThrow(/DashboardServeOptions\.port/);
    await expect(dashboard.serve({ token: '' })).rejects.toThrow(/token/);
    await expect(dashboard.serve({ prot: 1 } as never)).rejects.toThrow(/port/);
  });
});

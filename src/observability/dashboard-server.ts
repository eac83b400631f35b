import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rules, type Schema, validateConfig } from '../core/index.js';
import { dashboardPage } from './dashboard-page.js';
import { isSteeringPolicyNotFoundError } from './errors.js';
import type { ObservabilityDashboard } from './observability-dashboard.js';

/** Options of {@link ObservabilityDashboard.serve}. */
export interface DashboardServeOptions {
  /** The TCP port; 0 picks a free one (read it from the handle). @default 0 */
  port?: number | undefined;
  /** The interface to bind. Anything but loopback exposes actor metrics to the network. @default '127.0.0.1' */
  host?: string | undefined;
  /**
   * The secret every state-changing request must send, as `Authorization: Bearer <token>`
   * or `X-Bulwark-Token: <token>`. @default a random token, readable from the handle
   */
  token?: string | undefined;
  /** How often the page refreshes its data. @default 2000 */
  pollIntervalMs?: number | undefined;
  /** The largest request body accepted; larger ones get 413. @default 65536 */
  maxBodyBytes?: number | undefined;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** The bound port (the chosen one when `port` was 0). */
  readonly port: number;
  readonly host: string;
  /** The page's address, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The token steering requests must carry. */
  readonly token: string;
  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void>;
}

const schema: Schema<DashboardServeOptions> = {
  port: rules.integer(0, 65_535),
  host: rules.string,
  token: rules.string,
  pollIntervalMs: rules.duration(100),
  maxBodyBytes: rules.integer(1),
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export async function serveDashboard(
  dashboard: ObservabilityDashboard,
  options: DashboardServeOptions,
): Promise<DashboardServer> {
  validateConfig<DashboardServeOptions>('DashboardServeOptions', options, schema);
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenDigest = digest(token);
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const page = dashboardPage(options.pollIntervalMs ?? 2000);

  // Both sides hashed to one length, so the comparison time reveals nothing about the token.
  const authorised = (request: IncomingMessage): boolean => {
    const header = request.headers.authorization;
    const presented =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? header.slice(7).trim()
        : request.headers['x-bulwark-token'];
    return typeof presented === 'string' && timingSafeEqual(digest(presented), tokenDigest);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'Internal error';
      if (!response.headersSent) {
        sendJson(
          response,
          status,
          { error: message },
          status === 401 ? { 'www-authenticate': 'Bearer realm="bulwark"' } : {},
        );
      } else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (path === '/') return sendPage(response, page);
      return sendJson(response, 200, read(path, url.searchParams));
    }
    if (request.method !== 'POST') {
      response.setHeader('allow', 'GET, HEAD, POST');
      throw new HttpError(405, 'Method not allowed');
    }
    if (!authorised(request)) throw new HttpError(401, 'A valid token is required for steering');
    const body = await readJson(request, maxBodyBytes);
    return sendJson(response, 200, await steer(path, body));
  }

  function read(path: string, query: URLSearchParams): unknown {
    switch (path) {
      case '/api/state':
        return {
          overview: dashboard.collector.getSystemOverview(),
          graph: dashboard.getActorGraph(),
          patterns: dashboard.getPatternSummary(),
          visualizations: dashboard.getVisualizationNames(),
        };
      case '/api/overview':
        return dashboard.collector.getSystemOverview();
      case '/api/graph':
        return dashboard.getActorGraph();
      case '/api/patterns':
        return dashboard.getPatternSummary();
      case '/api/timeseries': {
        const actorId = query.get('actorId');
        const metric = query.get('metric');
        const durationMs = Number(query.get('durationMs') ?? 300_000);
        if (actorId === null || metric === null || !(durationMs > 0)) {
          throw new HttpError(400, 'actorId, metric and a positive durationMs are required');
        }
        return dashboard.getTimeSeriesData(actorId, metric, durationMs);
      }
      case '/api/visualizations':
        return dashboard.getVisualizationNames();
    }
    const visualization = /^\/api\/visualizations\/([^/]+)$/.exec(path);
    if (visualization !== null) {
      const { found, data } = dashboard.renderVisualization(decodeURIComponent(visualization[1]!));
      if (found) return data ?? null;
    }
    throw new HttpError(404, 'Not found');
  }

  async function steer(path: string, body: Record<string, unknown>): Promise<unknown> {
    const steering = dashboard.steering;
    const policy = /^\/api\/policies\/([^/]+)$/.exec(path);
    if (policy !== null) {
      const name = decodeURIComponent(policy[1]!);
      const args = body.args ?? [];
      if (!Array.isArray(args)) throw new HttpError(400, '"args" must be an array');
      try {
        return {
          ok: true,
          policy: name,
          result: (await steering.applySteeringPolicy(name, ...args)) ?? null,
        };
      } catch (error) {
        if (isSteeringPolicyNotFoundError(error)) throw new HttpError(404, error.message);
        throw error;
      }
    }
    const match = /^\/api\/actors\/([^/]+)\/(pause|resume|state|messages)$/.exec(path);
    if (match === null) throw new HttpError(404, 'Not found');
    const actorId = decodeURIComponent(match[1]!);
    const action = match[2]!;
    if (steering.inspectActor(actorId) === undefined) throw new HttpError(404, `No actor "${actorId}"`);
    let done: boolean;
    if (action === 'pause') done = steering.pauseActor(actorId);
    else if (action === 'resume') done = steering.resumeActor(actorId);
    else if (action === 'state') done = steering.modifyActorState(actorId, body);
    else {
      const { type, payload, source } = body;
      if (typeof type !== 'string' || type.length === 0)
        throw new HttpError(400, '"type" must be a non-empty string');
      if (source !== undefined && typeof source !== 'string')
        throw new HttpError(400, '"source" must be a string');
      done = steering.injectMessage(source ?? 'dashboard', actorId, type, payload ?? {});
    }
    if (!done) throw new HttpError(409, `Actor "${actorId}" cannot be steered that way now`);
    return { ok: true, actorId, action };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function readJson(request: IncomingMessage, maxBodyBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw new HttpError(413, 'Request body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

const commonHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value ?? null);
  response.writeHead(status, {
    ...commonHeaders,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function sendPage(response: ServerResponse, page: { html: string; csp: string }): void {
  response.writeHead(200, {
    ...commonHeaders,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page.html),
    'content-security-policy': page.csp,
    'x-frame-options': 'DENY',
  });
  response.end(page.html);
}

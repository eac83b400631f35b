import type { IncomingMessage, ServerResponse } from 'node:http';
import { rules, validateConfig } from '../core/index.js';
import type { CheckSnapshot } from './check.js';
import { aggregate, evaluate, type HealthChecker } from './health-checker.js';
import { HealthCheckKind, type HealthStatus } from './health-status.js';

/** Options of {@link healthHandler} and {@link healthResponse}. */
export interface HealthHandlerOptions {
  /**
   * Answer for checks of this kind only, so one checker serves `/livez`, `/readyz` and `/startupz`.
   * @default every check
   */
  kind?: HealthCheckKind | undefined;
  /**
   * Include each failing check's error message (`output`). Leave off on endpoints the
   * public can reach: messages may name hosts, users or queries.
   * @default false
   */
  details?: boolean | undefined;
}

/** A check's status in the `application/health+json` format. */
export type HealthJsonStatus = 'pass' | 'warn' | 'fail';

/** One measurement of a check in the `application/health+json` format. */
export interface HealthJsonCheck {
  readonly status: HealthJsonStatus;
  readonly observedValue?: unknown;
  readonly observedUnit?: string;
  /** When the result was taken, as an ISO 8601 date-time. */
  readonly time?: string;
  /** Why the check failed; present only when details are allowed. */
  readonly output?: string;
}

/** A body in the IETF draft "Health Check Response Format for HTTP APIs". */
export interface HealthJson {
  readonly status: HealthJsonStatus;
  /** Keyed `component:measurement`; each value is an array of measurements. */
  readonly checks: Readonly<Record<string, readonly HealthJsonCheck[]>>;
  readonly output?: string;
}

/** A framework-neutral HTTP answer: send `statusCode`, `headers` and `JSON.stringify(body)`. */
export interface HealthResponse {
  readonly statusCode: 200 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: HealthJson;
}

/** The media type of the draft's health answers. */
export const HEALTH_JSON_CONTENT_TYPE = 'application/health+json';

const optionsSchema = { kind: rules.oneOf(...Object.values(HealthCheckKind)), details: rules.boolean };

const jsonStatus: Record<HealthStatus, HealthJsonStatus> = {
  healthy: 'pass',
  degraded: 'warn',
  unknown: 'warn',
  unhealthy: 'fail',
};

function toJsonCheck(snapshot: CheckSnapshot, details: boolean): HealthJsonCheck {
  const check: {
    status: HealthJsonStatus;
    observedValue?: unknown;
    observedUnit?: string;
    time?: string;
    output?: string;
  } = { status: jsonStatus[snapshot.status] };
  if (snapshot.observedValue !== undefined) check.observedValue = snapshot.observedValue;
  if (snapshot.observedUnit !== undefined) check.observedUnit = snapshot.observedUnit;
  if (snapshot.time !== undefined) check.time = new Date(snapshot.time).toISOString();
  if (details && snapshot.output !== undefined) check.output = snapshot.output;
  return check;
}

function respond(body: HealthJson): HealthResponse {
  return {
    statusCode: body.status === 'fail' ? 503 : 200,
    headers: { 'content-type': HEALTH_JSON_CONTENT_TYPE, 'cache-control': 'no-store' },
    body,
  };
}

/**
 * Runs the checker's checks (reusing results younger than its `cacheTtlMs`) and builds the
 * `application/health+json` answer: 200 for `pass` and `warn`, 503 for `fail`. For
 * frameworks whose handlers do not take Node's `(request, response)`.
 *
 * @example
 * fastify.get('/readyz', async (request, reply) => {
 *   const { statusCode, headers, body } = await healthResponse(health, { kind: 'readiness' });
 *   return reply.code(statusCode).headers(headers).send(body);
 * });
 */
export async function healthResponse(
  checker: HealthChecker,
  options: HealthHandlerOptions = {},
): Promise<HealthResponse> {
  validateConfig<HealthHandlerOptions>('HealthHandlerOptions', options, optionsSchema);
  const details = options.details ?? false;
  const snapshots = await checker[evaluate](options.kind, { maxAgeMs: checker.cacheTtlMs });
  const checks: Record<string, HealthJsonCheck[]> = {};
  for (const snapshot of snapshots) (checks[snapshot.key] ??= []).push(toJsonCheck(snapshot, details));
  return respond({ status: jsonStatus[aggregate(snapshots)], checks });
}

/**
 * A `node:http` request listener, usable unchanged as an Express or Connect handler, that
 * answers health probes in the `application/health+json` format with
 * `Cache-Control: no-store`: 200 when the status is `pass` or `warn`, 503 when it is `fail`.
 *
 * @example
 * const health = new HealthChecker({ name: 'orders' });
 * const livez = healthHandler(health, { kind: 'liveness' });
 * const readyz = healthHandler(health, { kind: 'readiness' });
 * http.createServer((req, res) => (req.url === '/livez' ? livez : readyz)(req, res)).listen(8080);
 * @throws TypeError or RangeError naming the option when the options are invalid.
 */
export function healthHandler(
  checker: HealthChecker,
  options: HealthHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  validateConfig<HealthHandlerOptions>('HealthHandlerOptions', options, optionsSchema);
  if (typeof checker?.checkAll !== 'function') {
    throw new TypeError('healthHandler(checker): checker must be a HealthChecker');
  }
  const details = options.details ?? false;
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'cache-control': 'no-store' }).end();
      return;
    }
    const send = ({ statusCode, headers, body }: HealthResponse): void => {
      const text = JSON.stringify(body);
      response.writeHead(statusCode, { ...headers, 'content-length': Buffer.byteLength(text) });
      response.end(request.method === 'HEAD' ? undefined : text);
    };
    healthResponse(checker, options).then(send, (error: unknown) =>
      send(
        respond(
          details
            ? { status: 'fail', checks: {}, output: error instanceof Error ? error.message : String(error) }
            : { status: 'fail', checks: {} },
        ),
      ),
    );
  };
}

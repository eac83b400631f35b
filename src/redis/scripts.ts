import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script sent by its SHA1, and in full only when the server has not cached it. */
export class Script {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error | null)?.message).startsWith('NOSCRIPT')) throw error;
      return await client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

const readState = `
local st = redis.call('HMGET', KEYS[1], 'state', 'openedAt', 'nextAttemptAt', 'version', 'epoch')
local state = {st[1] or '', st[2] or '', st[3] or '', st[4] or '0', st[5] or '0'}
`;

/**
 * Adds this process's outcome deltas to the current time bucket of its epoch (the version at
 * which the shared state last closed), then returns the shared state and the outcomes of every
 * process over the window of the current epoch.
 * KEYS: state hash. ARGV: calls, failures, slow calls, local epoch, bucket, buckets in the
 * window, bucket ttl, counts key prefix.
 * Returns: state, openedAt, nextAttemptAt, version, epoch, calls, failures, slow calls.
 */
export const syncScript = new Script(`${readState}
local bucket = tonumber(ARGV[5])
if tonumber(ARGV[1]) > 0 then
  local key = ARGV[8] .. ARGV[4] .. ':' .. bucket
  redis.call('HINCRBY', key, 'c', ARGV[1])
  redis.call('HINCRBY', key, 'f', ARGV[2])
  redis.call('HINCRBY', key, 's', ARGV[3])
  redis.call('PEXPIRE', key, ARGV[7])
end
local c, f, s = 0, 0, 0
for b = bucket - tonumber(ARGV[6]) + 1, bucket do
  local v = redis.call('HMGET', ARGV[8] .. state[5] .. ':' .. b, 'c', 'f', 's')
  c = c + (tonumber(v[1]) or 0)
  f = f + (tonumber(v[2]) or 0)
  s = s + (tonumber(v[3]) or 0)
end
return {state[1], state[2], state[3], state[4], state[5], c, f, s}
`);

/**
 * Publishes a state change. A fenced change (a trial's verdict) is accepted only while the
 * lease still holds the caller's fencing token; any change frees the lease the caller holds.
 * A close starts a new epoch, so outcomes counted before it no longer weigh.
 * KEYS: state hash, lease. ARGV: state, openedAt, nextAttemptAt, token, '1' when fenced, key ttl.
 * Returns: accepted (1 or 0), then the stored state as {@link syncScript} orders it.
 */
export const publishScript = new Script(`
local lease = redis.call('GET', KEYS[2])
if ARGV[5] == '1' and lease ~= ARGV[4] then
  ${readState}
  return {0, state[1], state[2], state[3], state[4], state[5]}
end
if lease == ARGV[4] then redis.call('DEL', KEYS[2]) end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'openedAt', ARGV[2], 'nextAttemptAt', ARGV[3])
if ARGV[1] == 'closed' then redis.call('HSET', KEYS[1], 'epoch', version) end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
local epoch = redis.call('HGET', KEYS[1], 'epoch') or '0'
return {1, ARGV[1], ARGV[2], ARGV[3], tostring(version), epoch}
`);

/**
 * Grants the half-open trial lease with a new fencing token, if nobody holds it and the
 * shared state is still open.
 * KEYS: lease, fencing counter, state hash. ARGV: lease ttl, key ttl.
 * Returns: {1, token} when granted, {0, ms until the lease frees} when held, {2, 0} when not open.
 */
export const leaseScript = new Script(`
local state = redis.call('HGET', KEYS[3], 'state')
if state ~= 'open' then return {2, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 or ttl == -1 then return {0, ttl} end
local token = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return {1, token}
`);

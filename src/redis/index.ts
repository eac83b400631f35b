/**
 * Circuit-breaker state shared between processes through Redis. Needs the optional peer
 * dependency `ioredis`.
 * @module
 */
export { RedisBreakerStateStore, type RedisBreakerStateStoreOptions } from './redis-breaker-state-store.js';

/**
 * PostgreSQL event and snapshot stores, for many processes sharing one log. Needs the
 * optional peer dependency `pg`.
 * @module
 */
export type { PostgresConnectionConfig } from './connection.js';
export { PostgresEventStore, type PostgresEventStoreConfig } from './postgres-event-store.js';
export { PostgresSnapshotStore, type PostgresSnapshotStoreConfig } from './postgres-snapshot-store.js';

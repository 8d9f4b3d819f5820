/**
 * The forensic store: alerts and their related events in SQLite, with retention and search.
 */
export { AlertReader } from './alert-reader.js';
export { AlertStore, type RetentionPolicy } from './alert-store.js';
export type { AlertQuery } from './search.js';
export { prepareStorePath, StorePathError } from './store-directory.js';

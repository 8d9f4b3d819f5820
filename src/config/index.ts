/**
 * Configuration: `harrier.yaml` loaded, overridden from the environment and validated, with
 * diagnostics that name the key and line of every problem.
 */
export { loadConfig, loadConfigFile, defaultStoreConfig, defaultStateDir } from './load-config.js';
export { formatConfigDiagnostic, type ConfigDiagnostic } from './diagnostic.js';
export type { HarrierConfig } from './types.js';
export type { ConfigUse } from './directories.js';
export { parseDuration } from './duration.js';

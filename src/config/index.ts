/**
 * Configuration: `harrier.yaml` loaded, overridden from the environment and validated, with
 * diagnostics that name the key and line of every problem.
 */
export {
  loadConfig,
  loadConfigFile,
  defaultStoreConfig,
  defaultStateDir,
  type ConfigResult,
} from './load-config.js';
export {
  formatConfigDiagnostic,
  configCodes,
  type ConfigCode,
  type ConfigDiagnostic,
} from './diagnostic.js';
export type { HarrierConfig, StoreConfig, MetricsConfig } from './types.js';
export { parseDuration, parseByteSize } from './duration.js';

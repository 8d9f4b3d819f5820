/**
 * Alerts: building them from rule matches, formatting them as Falco does, and delivering them
 * at least once to the configured outputs. This file lists the stage's public names.
 */
export type { Alert } from './alert.js';
export { AlertFactory, type AlertFactoryOptions, type TimeFormat } from './alert-factory.js';
export { formatAlertText, formatAlertJson, isoTime } from './format.js';
export { encodeAlert, decodeAlert, plainValue, plainFields } from './alert-codec.js';
export type { AlertContext, AlertRecorder, RelatedEvent } from './context.js';
export {
  AlertRouter,
  type AlertRouterConfig,
  type OutputSpec,
  type RouterStats,
} from './router.js';
export type { OutputStats } from './output-worker.js';
export type { OutputFilter } from './filter.js';
export { groupFields, type GroupingRule } from './grouping.js';
export { defaultRetryPolicy, type RetryPolicy } from './backoff.js';
export { compileTemplate, type Template } from './template.js';
export {
  outputKinds,
  isOutputType,
  type OutputType,
  type OutputKind,
  type OptionSpec,
  type OptionKind,
} from './outputs/catalog.js';
export {
  DeliveryError,
  type Delivery,
  type Destination,
  type DestinationContext,
} from './outputs/types.js';
export { sampleAlert } from './sample-alert.js';
export {
  startCaptureServer,
  type CaptureServer,
  type CapturedRequest,
} from './outputs/loopback.js';

/**
 * Alerts: building them from rule matches, formatting them as Falco does, and delivering them
 * at least once to the configured outputs. This file lists the stage's public names.
 */
export type { Alert } from './alert.js';
export type { TimeFormat } from './alert-factory.js';
export { formatAlertText, formatAlertJson, formatFieldsJson } from './format.js';
export { encodeAlert, decodeAlert, plainValue } from './alert-codec.js';
export { openPrivateDatabase } from './private-file.js';
export type { AlertContext, AlertRecorder, RelatedEvent } from './context.js';
export { AlertRouter, type OutputSpec } from './router.js';
export type { OutputStats } from './output-worker.js';
export type { GroupingRule } from './grouping.js';
export { scanTemplate, isOwnAlertField, TEMPLATE_NAMES } from './template.js';
export { NATS_SUBJECT_NAMES } from './outputs/nats.js';
export { outputKinds, isOutputType, type OutputType, type OptionSpec } from './outputs/catalog.js';

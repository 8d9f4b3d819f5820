/**
 * The rule-language engine: conditions parsed into trees, compiled against a source's field
 * table into predicates, output formats compiled into formatters, and load diagnostics.
 * This file lists the stage's public names, and the other stages import the engine only from
 * here (a lint rule checks it); everything else in `engine/` is internal.
 */
export type { Expr, Position } from './ast.js';
export { parseCondition } from './parser.js';
export { printCondition } from './print.js';
export { compileCondition, type CompiledFilter, type CompileError } from './compiler.js';
export { closeEvaluationScope, openEvaluationScope, SharedChecks } from './shared-checks.js';
export { parseConstant } from './constants.js';
export { eventTypesOf } from './event-types.js';
export { fdFieldWarning } from './fd-field-check.js';
export {
  compileOutput,
  printableText,
  type OutputFieldValue,
  type OutputFormatter,
} from './output-format.js';
export {
  diagnosticCodes,
  formatDiagnostic,
  diagnosticToJson,
  inReadingOrder,
  positionedErrorText,
  escapeControls,
  type Diagnostic,
  type DiagnosticCode,
  type ErrorCode,
  type WarningCode,
} from './diagnostics.js';
export { fieldTableFor, resolveField, suggestedOutputFields } from './fields/index.js';
export type {
  FieldDefinition,
  FieldTable,
  FieldType,
  FieldValue,
  FieldScalar,
} from './fields/types.js';
export { isoTimeText } from './fields/event-generic.js';
export { ContainerIdMemo, containerIdOf } from './fields/syscall-values/index.js';

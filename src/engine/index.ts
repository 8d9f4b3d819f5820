/**
 * The rule-language engine: conditions parsed into trees, compiled against a source's field
 * table into predicates, output formats compiled into formatters, and load diagnostics.
 * This file lists the stage's public names; everything else in `engine/` is internal.
 */
export type * from './ast.js';
export { parseCondition, type ParseError, type ParseResult } from './parser.js';
export { printCondition, escapeValue } from './print.js';
export {
  compileCondition,
  type CompiledFilter,
  type CompileResult,
  type CompileError,
  type CompileWarning,
} from './compiler.js';
export { eventTypesOf } from './event-types.js';
export {
  compileOutput,
  notAvailable,
  type FormattedOutput,
  type OutputFieldValue,
  type OutputFormatter,
} from './output-format.js';
export {
  diagnosticCodes,
  formatDiagnostic,
  diagnosticToJson,
  type Diagnostic,
  type DiagnosticCode,
  type Severity,
} from './diagnostics.js';
export { fieldTableFor, knownSources, resolveField } from './fields/index.js';
export type {
  FieldDefinition,
  FieldTable,
  FieldType,
  FieldValue,
  FieldScalar,
} from './fields/types.js';

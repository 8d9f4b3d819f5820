/**
 * Which compile errors `skip_if_unknown_filter` forgives: unknown fields and event types, as
 * Falco's err_is_unknown_type_or_field; syntax errors stay errors.
 * @internal
 */
import type { CompileError } from '../../engine/index.js';

export function isUnknownFilter(error: CompileError): boolean {
  if (error.unknownField !== undefined) return true;
  const markers = [
    'nonexistent field',
    'invalid formatting token',
    'unknown event type',
    'unknown filter:',
  ];
  return markers.some((marker) => error.message.includes(marker));
}

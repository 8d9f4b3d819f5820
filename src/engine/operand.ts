/**
 * Operands: the compiled form of what stands on either side of a check. A field, a
 * transformer over operands, or a literal given to a multi-value transformer.
 */
import type { FieldDefinition, FieldExtractor, FieldType } from './fields/types.js';

export interface Operand<E> {
  /** Field name (or transformer call) as messages quote it. */
  name: string;
  type: FieldType;
  isList: boolean;
  /** Reads the value; undefined when it cannot be extracted. */
  read: (event: E) => ReturnType<FieldExtractor<E>>;
  /** Values to try one by one, for fields that match when any of them does. */
  candidates?: (event: E) => ReturnType<FieldExtractor<E>>;
  /** Whether the operand may take part in a field-to-field comparison. */
  allowsFieldComparison: boolean;
  /** Whether transformers may wrap it. */
  allowsTransformer: boolean;
  /** Set for plain fields. */
  definition?: FieldDefinition<E>;
}

/**
 * The shape of a field table: every field a rule can name for one event source, with its
 * type and how its value is read from an event. Field names keep Falco's spelling exactly.
 */

/** Falco's field types (libsinsp `PT_*` without the prefix). */
export type FieldType =
  | 'CHARBUF'
  | 'FSPATH'
  | 'BYTEBUF'
  | 'BOOL'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'DOUBLE'
  | 'RELTIME'
  | 'ABSTIME'
  | 'PORT'
  | 'IPV4ADDR'
  | 'IPV4NET'
  | 'IPV6ADDR'
  | 'IPV6NET'
  | 'IPADDR'
  | 'IPNET'
  | 'MODE'
  | 'DYN';

/** How a field takes an argument in brackets, as in `proc.aname[2]` or `evt.arg.name`. */
export type FieldArgument = 'none' | 'allowed' | 'required';

/**
 * One value extracted from an event. Integers that may pass 2^53 (timestamps, inodes) are
 * bigint; addresses are their text form (`10.0.0.1`, `::1`); byte buffers are Uint8Array.
 * A list field returns an array of scalars.
 */
export type FieldScalar = string | number | bigint | boolean | Uint8Array;
export type FieldValue = FieldScalar | FieldScalar[];

/** Reads a field from an event; `undefined` means "not extractable" (`<NA>`). */
export type FieldExtractor<E> = (event: E, argument: string | undefined) => FieldValue | undefined;

export interface FieldDefinition<E = unknown> {
  /** Full field name as a rule writes it, e.g. `proc.name`. */
  name: string;
  type: FieldType;
  argument: FieldArgument;
  /** One sentence of Harrier's own words on what the value is. */
  description: string;
  /** The value is a list (`proc.args` style); operators compare element-wise. */
  isList?: boolean;
  /** Cannot take part in a field-to-field comparison (`val()`), like Falco's EPF_NO_RHS. */
  noRightHandSide?: boolean;
  /** Cannot be wrapped in a transformer, like Falco's EPF_NO_TRANSFORMER. */
  noTransformer?: boolean;
  /** Usable in conditions only, never in outputs (EPF_FILTER_ONLY). */
  filterOnly?: boolean;
  /**
   * What an argument of a plugin field may be (EPF_ARG_INDEX / EPF_ARG_KEY): a plain index
   * such as `[0]`, a string key such as `[app]`, or either.
   */
  argumentKind?: 'index' | 'key' | 'indexOrKey';
  /**
   * The Falco plugin that supplies the field (`container`, `k8saudit`, `cloudtrail`, `json`);
   * unset for libsinsp's own fields. Plugin fields take arguments in brackets only and report
   * argument errors in the plugin wording.
   */
  plugin?: string;
  /**
   * The source's plugin suggests the field for outputs (EPF_FORMAT_SUGGESTED): Falco's
   * `append_output` entries with `suggested_output: true` append it as `name_with_underscores=%name`.
   */
  suggestedOutput?: boolean;
  /** Shown in outputs only; rules cannot filter on it (EPF_PRINT_ONLY). */
  printOnly?: boolean;
  /** Only listed for tables (EPF_TABLE_ONLY); kept for completeness, hidden from docs. */
  tableOnly?: boolean;
  deprecated?: boolean;
  /** The field exists only in Harrier, not in Falco. */
  harrierOnly?: boolean;
  /**
   * How a value is read. Fields whose source does not supply them yet leave it out, and
   * extraction then yields `<NA>`; the compiler still knows and type-checks them.
   */
  extract?: FieldExtractor<E>;
  /**
   * For fields that match when any of several values matches (`fd.ip` checks both ends of a
   * socket, `proc.aname` without an index checks every ancestor): the values to try.
   */
  candidates?: FieldExtractor<E>;
  /**
   * With `candidates`: `!=` holds only when every candidate differs, libsinsp's rule for the
   * two ends of a socket (`fd.ip`, `fd.port`, `fd.net`). Without it `!=`, like every other
   * operator, holds when one candidate satisfies it, as for the ancestors of `proc.aname`.
   */
  notEqualOnEveryCandidate?: boolean;
  /** Text form in outputs when it differs from the plain one (hex, octal, padded). */
  display?: (value: FieldValue) => string;
  /** Checks a right-hand constant beyond its type (`evt.type` names); returns the problem. */
  validateConstant?: (text: string) => string | undefined;
  /** The value `output_fields` carries when it differs from `extract` (time fields: raw ns). */
  jsonValue?: FieldExtractor<E>;
  /** Fields whose type depends on the argument (`evt.rawarg.NAME`): the type for one. */
  typeForArgument?: (argument: string) => FieldType | undefined;
}

/** All fields of one event source, looked up by exact name or by dotted prefix. */
export interface FieldTable<E = unknown> {
  source: string;
  fields: ReadonlyMap<string, FieldDefinition<E>>;
}

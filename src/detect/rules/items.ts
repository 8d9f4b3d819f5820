/**
 * The items a rule file defines, as collected before compilation: lists, macros, rules and
 * the changes (append, replace) later items make to them.
 * @internal
 */
import type { ItemContext } from './context.js';
import type { MappedText } from './mapped-text.js';
import type { Priority } from './priority.js';

/**
 * One of an exception's `fields`, `comps` or values: a string or a (nested) list of them.
 * Empty strings and empty lists count as absent, as in Falco.
 */
export type ExceptionEntry =
  { isList: false; item: string } | { isList: true; items: ExceptionEntry[] };

export function isValidEntry(entry: ExceptionEntry | undefined): entry is ExceptionEntry {
  if (entry === undefined) return false;
  return entry.isList ? entry.items.length > 0 : entry.item !== '';
}

export interface ExceptionInfo {
  context: ItemContext;
  name: string;
  fields: ExceptionEntry | undefined;
  comps: ExceptionEntry | undefined;
  values: ExceptionEntry[];
}

/** Fields shared by collected lists, macros and rules. */
interface Collected {
  context: ItemContext;
  name: string;
  /** Order of first definition; redefinitions keep it. */
  index: number;
  /** Order of the latest definition or change; decides what a macro or list can see. */
  visibility: number;
}

export interface ListInfo extends Collected {
  items: string[];
}

export interface MacroInfo extends Collected {
  condition: MappedText;
}

export interface RuleInfo extends Collected {
  condition: MappedText;
  outputContext: ItemContext;
  source: string;
  unknownSource: boolean;
  /** A key of the definition was bad: compiled only to report its other problems. */
  rejected: boolean;
  description: string;
  /** The output format, mapped into the file so that errors point at their token. */
  output: MappedText;
  tags: Set<string>;
  exceptions: ExceptionInfo[];
  priority: Priority;
  capture: boolean;
  captureDuration: number;
  enabled: boolean;
  warnEventTypes: boolean;
  skipIfUnknownFilter: boolean;
}

/** A change to an existing rule (append or selective replace); absent keys stay as they are. */
export interface RuleUpdate {
  context: ItemContext;
  name: string;
  source: string;
  condition?: MappedText;
  output?: MappedText;
  description?: string;
  tags?: Set<string>;
  exceptions?: ExceptionInfo[];
  priority?: Priority;
  capture?: boolean;
  captureDuration?: number;
  enabled?: boolean;
  warnEventTypes?: boolean;
  skipIfUnknownFilter?: boolean;
}

export function hasAnyValue(update: RuleUpdate): boolean {
  const keys = [
    'condition',
    'output',
    'description',
    'tags',
    'exceptions',
    'priority',
    'capture',
    'captureDuration',
    'enabled',
    'warnEventTypes',
    'skipIfUnknownFilter',
  ] as const;
  return keys.some((key) => update[key] !== undefined);
}

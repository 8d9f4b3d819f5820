/**
 * Compact rows for writing field tables, and the builder that turns them into a `FieldTable`
 * keyed by exact name.
 * @internal
 */
import type { FieldArgument, FieldDefinition, FieldTable, FieldType } from './types.js';

/** Everything a row may say about a field besides its name, type and description. */
export type FieldRowOptions<E = unknown> = Omit<
  FieldDefinition<E>,
  'name' | 'type' | 'description' | 'argument'
> & { argument?: FieldArgument };

/** One field as a tuple: name, type, description and optional flags. */
export type FieldRow<E = unknown> = readonly [
  name: string,
  type: FieldType,
  description: string,
  options?: FieldRowOptions<E>,
];

/** Turns rows into definitions; `argument` defaults to `'none'`. */
export function defineFields<E>(
  rows: readonly FieldRow<E>[],
  common: FieldRowOptions<E> = {},
): FieldDefinition<E>[] {
  return rows.map(([name, type, description, options]) => ({
    argument: 'none',
    ...common,
    ...options,
    name,
    type,
    description,
  }));
}

/**
 * Builds a table for `source` from definitions.
 * @throws RangeError when two definitions share a name.
 */
export function createFieldTable<E>(
  source: string,
  definitions: readonly FieldDefinition<E>[],
): FieldTable<E> {
  const fields = new Map<string, FieldDefinition<E>>();
  for (const definition of definitions) {
    if (fields.has(definition.name)) {
      throw new RangeError(`field '${definition.name}' is defined twice for source '${source}'`);
    }
    fields.set(definition.name, definition);
  }
  return { source, fields };
}

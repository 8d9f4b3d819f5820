/**
 * The event sources the configuration can name: the `sources:` section (settings by source,
 * each source with the keys it takes) and the fields of their alerts, which grouping keys and
 * output templates name.
 */
import type { Node } from 'yaml';
import { fieldTableFor, resolveField } from '../engine/index.js';
import type { HarrierConfig } from './types.js';
import { ConfigReader, join } from './reader.js';

/** Sources whose rules raise alerts, in Falco's spelling. */
export const ALERT_SOURCES = ['syscall', 'k8s_audit', 'aws_cloudtrail'];

/**
 * The settings keys each source takes under `sources:`.
 * LIMIT: no source takes a setting yet, so every key under a source is reported as unknown;
 * the section exists so that settings can come without a new layout.
 */
const SOURCE_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  syscall: [],
  k8s_audit: [],
  aws_cloudtrail: [],
};

/** The `sources:` section: known source names, each a mapping of the keys that source takes. */
export function readSources(
  reader: ConfigReader,
  node: Node | null | undefined,
): HarrierConfig['sources'] {
  const entries = reader.mapping(node, 'sources', ALERT_SOURCES) ?? new Map();
  const sources: Record<string, Record<string, unknown>> = {};
  for (const [name, entry] of entries) {
    const key = join('sources', name);
    const known = SOURCE_SETTINGS[name] ?? [];
    if (!isEmptyMapping(entry.value) && known.length === 0) {
      reader.error(
        entry.value ?? entry.key,
        key,
        `source '${name}' takes no settings yet; expected an empty mapping ({}) for '${key}'`,
        'HARRIER_CONFIG_UNKNOWN_KEY',
      );
      continue;
    }
    if (reader.mapping(entry.value, key, known) !== undefined) {
      sources[name] = (entry.value as unknown as { toJSON(): Record<string, unknown> }).toJSON();
    }
  }
  return sources;
}

function isEmptyMapping(node: Node | null): boolean {
  return (node as { items?: unknown[] } | null)?.items?.length === 0;
}

/** True when `field` (`proc.name`, `proc.aname[2]`) is a field of some alert source. */
export function isSourceField(field: string): boolean {
  const [, name = field, argument] = /^([^[\]]+)(?:\[(.*)\])?$/.exec(field) ?? [];
  return ALERT_SOURCES.some((source) => {
    const table = fieldTableFor(source);
    return table !== undefined && resolveField(table, name, argument).ok;
  });
}

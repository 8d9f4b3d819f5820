/**
 * The generic `evt.*` fields libsinsp offers on every event source, plugin sources included
 * (its `gen_event` field class): event number, the time in its text and numeric forms, the
 * source and plugin names and the plugin's one-line summary. Names, types and display forms
 * follow libsinsp; the descriptions are Harrier's own.
 */
import { localHostname } from '../../host-name.js';
import type { FieldDefinition, FieldExtractor, FieldTable, FieldType } from './types.js';

/** What the generic fields read from an event. */
export interface GenericEvent {
  source: string;
  /** Event time in nanoseconds since the epoch. */
  ts: bigint;
  /** Sequence number the source gave the event, from 1; absent reads as 0. */
  num?: bigint;
}

/** Per-source parts of the generic fields. */
interface GenericFieldOptions<E> {
  /** The Falco plugin that produces the source's events (`k8saudit`, `cloudtrail`). */
  pluginName: string;
  /** The plugin's one-line summary of an event (`evt.plugininfo`). */
  pluginInfo: (event: E) => string | undefined;
}

const nanosecondsPerSecond = 1_000_000_000n;

/** Offset of local time from UTC in seconds, taken once as libsinsp does at start. */
const localOffsetSeconds = BigInt(-new Date().getTimezoneOffset() * 60);

function twoDigits(value: bigint): string {
  return value.toString().padStart(2, '0');
}

/** libsinsp's `ts_to_string`: local `HH:MM:SS[.nnnnnnnnn]`, with `YYYY-MM-DD ` when `date`. */
export function timeText(ts: bigint, date: boolean, nanoseconds: boolean): string {
  const seconds = ts / nanosecondsPerSecond + localOffsetSeconds;
  const ofDay = ((seconds % 86_400n) + 86_400n) % 86_400n;
  let text = `${twoDigits(ofDay / 3600n)}:${twoDigits((ofDay % 3600n) / 60n)}:${twoDigits(ofDay % 60n)}`;
  if (nanoseconds) text += `.${(ts % nanosecondsPerSecond).toString().padStart(9, '0')}`;
  if (!date) return text;
  const day = new Date(Number(seconds - ofDay) * 1000).toISOString().slice(0, 10);
  return `${day} ${text}`;
}

/** libsinsp's `ts_to_iso_8601`: `2016-08-04T16:17:57.881781397+0000`, always UTC. */
export function isoTimeText(ts: bigint): string {
  const seconds = ts / nanosecondsPerSecond;
  const fraction = (ts % nanosecondsPerSecond).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}+0000`;
}

type Row<E> = [name: string, type: FieldType, description: string, read: FieldExtractor<E>];

function rows<E extends GenericEvent>(options: GenericFieldOptions<E>): Row<E>[] {
  // LIMIT: evt.reltime counts from the first event whose reltime was read, not from the
  // first event the source delivered; rules on it may see smaller values than Falco's.
  let first: bigint | undefined;
  const relative = (event: E) => {
    first ??= event.ts;
    return event.ts > first ? event.ts - first : 0n;
  };
  return [
    ['evt.num', 'UINT64', 'Sequence number of the event in its source.', (e) => e.num ?? 0n],
    [
      'evt.time',
      'CHARBUF',
      'Local time of day of the event, with nanoseconds.',
      (e) => timeText(e.ts, false, true),
    ],
    [
      'evt.time.s',
      'CHARBUF',
      'Local time of day of the event, whole seconds.',
      (e) => timeText(e.ts, false, false),
    ],
    [
      'evt.time.iso8601',
      'CHARBUF',
      'Event time in ISO 8601 UTC with nanoseconds.',
      (e) => isoTimeText(e.ts),
    ],
    [
      'evt.datetime',
      'CHARBUF',
      'Local date and time of the event, with nanoseconds.',
      (e) => timeText(e.ts, true, true),
    ],
    [
      'evt.datetime.s',
      'CHARBUF',
      'Local date and time of the event, whole seconds.',
      (e) => timeText(e.ts, true, false),
    ],
    ['evt.rawtime', 'ABSTIME', 'Event time in nanoseconds since the epoch.', (e) => e.ts],
    [
      'evt.rawtime.s',
      'ABSTIME',
      'Whole seconds of the event time.',
      (e) => e.ts / nanosecondsPerSecond,
    ],
    [
      'evt.rawtime.ns',
      'ABSTIME',
      'Nanosecond part of the event time.',
      (e) => e.ts % nanosecondsPerSecond,
    ],
    ['evt.reltime', 'RELTIME', 'Nanoseconds since the first event.', relative],
    [
      'evt.reltime.s',
      'RELTIME',
      'Whole seconds since the first event.',
      (e) => relative(e) / nanosecondsPerSecond,
    ],
    [
      'evt.reltime.ns',
      'RELTIME',
      'Nanosecond part of the time since the first event.',
      (e) => relative(e) % nanosecondsPerSecond,
    ],
    [
      'evt.pluginname',
      'CHARBUF',
      'Name of the plugin whose source produced the event.',
      () => options.pluginName,
    ],
    [
      'evt.plugininfo',
      'CHARBUF',
      "The plugin's one-line summary of the event.",
      (e) => options.pluginInfo(e),
    ],
    ['evt.source', 'CHARBUF', 'Name of the event source.', (e) => e.source],
    [
      'evt.is_async',
      'BOOL',
      'Always false: plugin events are never asynchronous meta events.',
      () => false,
    ],
    [
      'evt.asynctype',
      'CHARBUF',
      'Unset: plugin events are never asynchronous meta events.',
      () => undefined,
    ],
    [
      'evt.hostname',
      'CHARBUF',
      'Host name of this machine, or HARRIER_HOSTNAME, else FALCO_HOSTNAME, when set.',
      () => localHostname(),
    ],
  ];
}

/** Time fields carry the raw nanoseconds in `output_fields`, as libsinsp's JSON form does. */
const rawTimeJson = new Set([
  'evt.time',
  'evt.time.s',
  'evt.time.iso8601',
  'evt.datetime',
  'evt.datetime.s',
]);

/** The generic `evt.*` definitions for events of one plugin source. */
function createGenericEventFieldDefinitions<E extends GenericEvent>(
  options: GenericFieldOptions<E>,
): FieldDefinition<E>[] {
  return rows(options).map(([name, type, description, read]) => {
    const definition: FieldDefinition<E> = {
      name,
      type,
      description,
      argument: 'none',
      extract: read,
    };
    if (rawTimeJson.has(name)) definition.jsonValue = (event) => event.ts;
    if (name === 'evt.rawtime.ns' || name === 'evt.reltime' || name === 'evt.reltime.ns') {
      definition.display = (value) => String(value).padStart(9, '0');
    }
    return definition;
  });
}

/**
 * `table` with the generic `evt.*` fields added where it lacks them; the table's own
 * definitions win. Returns a new table; `table` is not changed.
 */
function withGenericEventFields<E extends GenericEvent>(
  table: FieldTable<E>,
  options: GenericFieldOptions<E>,
): FieldTable<E> {
  const fields = new Map(table.fields);
  for (const definition of createGenericEventFieldDefinitions(options)) {
    if (!fields.has(definition.name)) fields.set(definition.name, definition);
  }
  return { source: table.source, fields };
}

/**
 * A plugin source's table with the generic fields added. `evt.plugininfo` is the value of
 * `summaryField` when given (the cloudtrail plugin's summary is `ct.info`), else the event's
 * JSON, as the k8saudit plugin prints it.
 *
 * @example
 * withPluginEventFields(createCloudTrailFieldTable(), 'cloudtrail', 'ct.info')
 */
export function withPluginEventFields<E extends GenericEvent & { raw: unknown }>(
  table: FieldTable<E>,
  pluginName: string,
  summaryField?: string,
): FieldTable<E> {
  const summary = summaryField === undefined ? undefined : table.fields.get(summaryField)?.extract;
  const pluginInfo = (event: E): string | undefined => {
    if (summary === undefined) return JSON.stringify(event.raw);
    const value = summary(event, undefined);
    return typeof value === 'string' ? value : undefined;
  };
  return withGenericEventFields(table, { pluginName, pluginInfo });
}

/**
 * Turns a rule match into an `Alert`: resolves the rule's output on the event, prefixes the
 * time and priority the way Falco does (`TIME: Priority output`), and gathers the typed
 * output fields of both parts.
 */
import { compileOutput, type FieldTable, type OutputFormatter } from '../engine/index.js';
import { localHostname } from '../host-name.js';
import type { Rule } from '../detect/index.js';
import type { Alert } from './alert.js';

/** `iso8601`: `2016-08-04T16:17:57.881781397+0000`; `local`: `16:17:57.881781397` local time. */
export type TimeFormat = 'iso8601' | 'local';

/** The host name alerts carry: `option`, else this machine's (see `localHostname`). */
export function alertHostname(option?: string): string {
  return option ?? localHostname();
}

export interface AlertFactoryOptions {
  timeFormat?: TimeFormat;
  /** Default: `HARRIER_HOSTNAME` from the environment, else the system host name. */
  hostname?: string;
  /**
   * Fields added to `output_fields` (not to the text) of every alert (`--container-fields`);
   * a rule's own fields keep their place. The configuration's `append_output.extra_fields`
   * come with each rule instead (`Rule.extraOutputFields`).
   */
  extraFields?: readonly string[];
}

/** The container and pod fields `--container-fields` adds to syscall alerts. */
export const CONTAINER_OUTPUT_FIELDS: readonly string[] = [
  'container.id',
  'container.name',
  'container.image.repository',
  'container.image.tag',
  'k8s.ns.name',
  'k8s.pod.name',
];

/** Builds alerts for events of one source. */
export class AlertFactory<E extends { ts: bigint }> {
  private readonly prefix: OutputFormatter<E>;
  private readonly extra: OutputFormatter<E> | undefined;
  readonly hostname: string;

  /** Throws a TypeError when the table lacks the time field (a programming error). */
  constructor(
    private readonly source: string,
    table: FieldTable<E>,
    options: AlertFactoryOptions = {},
  ) {
    const timeField = options.timeFormat === 'iso8601' ? '%evt.time.iso8601' : '%evt.time';
    const compiled = compileOutput(timeField, table);
    if (!compiled.ok)
      throw new TypeError(`source ${source} has no ${timeField} field: ${compiled.error.message}`);
    this.prefix = compiled.formatter;
    this.extra = extraFieldsFormatter(source, table, options.extraFields ?? []);
    this.hostname = alertHostname(options.hostname);
  }

  /** The alert for `rule` matching `event`. */
  build(rule: Rule<E>, event: E): Alert {
    const prefix = this.prefix.format(event);
    const message = rule.formatter.format(event);
    const outputFields = new Map(message.fields);
    for (const [name, value] of prefix.fields) outputFields.set(name, value);
    for (const [name, value] of this.extra?.format(event).fields ?? []) {
      if (!outputFields.has(name)) outputFields.set(name, value);
    }
    // The configuration's extra fields replace fields of the same name, as in Falco.
    for (const { key, raw, formatter } of rule.extraOutputFields) {
      const formatted = formatter.format(event);
      outputFields.set(
        key,
        raw ? (formatted.fields.values().next().value ?? null) : formatted.text,
      );
    }
    return {
      time: event.ts,
      rule: rule.name,
      priority: rule.priority,
      source: this.source,
      hostname: this.hostname,
      output: `${prefix.text}: ${rule.priority} ${message.text}`,
      outputFields,
      tags: rule.tags,
    };
  }
}

/** One formatter over all extra fields; a field the source lacks is a programming error. */
function extraFieldsFormatter<E>(
  source: string,
  table: FieldTable<E>,
  names: readonly string[],
): OutputFormatter<E> | undefined {
  if (names.length === 0) return undefined;
  const compiled = compileOutput(names.map((name) => `%${name}`).join(' '), table);
  if (!compiled.ok)
    throw new TypeError(`source ${source} cannot add output fields: ${compiled.error.message}`);
  return compiled.formatter;
}

/**
 * Message templates for outputs: text with `{{name}}` placeholders. Names are `rule`,
 * `priority`, `source`, `hostname`, `output`, `time` (ISO 8601), `tags` (comma separated), or
 * any output field (`{{proc.name}}`, `{{container.id}}`); an absent field renders as `<NA>`.
 */
import type { Alert } from './alert.js';
import { isoTime } from './format.js';

/** A compiled template. */
export interface Template {
  /** The template's text, or undefined for the default (the alert's output line). */
  readonly source: string | undefined;
  render(alert: Alert): string;
}

const placeholder = /\{\{\s*([A-Za-z0-9_.[\]()-]+)\s*\}\}/g;

/**
 * Compiles `source`; undefined gives the default template, the alert's output line.
 *
 * @example
 * compileTemplate('{{priority}} {{rule}} on {{hostname}}').render(alert)
 */
export function compileTemplate(source?: string): Template {
  if (source === undefined) return { source, render: (alert) => alert.output };
  return {
    source,
    render: (alert) => source.replace(placeholder, (_, name: string) => valueOf(alert, name)),
  };
}

/** The names a template has besides output fields. */
export const TEMPLATE_NAMES = ['rule', 'priority', 'source', 'hostname', 'output', 'time', 'tags'];

/** A `{{name}}` of a template text, at the offset of its `{{`. */
export interface TemplatePlaceholder {
  readonly name: string;
  readonly offset: number;
}

/**
 * The placeholders of `source` as `compileTemplate` fills them, and the offset of the first
 * `{{` that starts none (no closing `}}`, or no name between them): such text is printed as
 * it is, which is never what was meant.
 */
export function scanTemplate(source: string): {
  placeholders: TemplatePlaceholder[];
  malformedAt?: number;
} {
  const placeholders: TemplatePlaceholder[] = [];
  let offset = source.indexOf('{{');
  while (offset >= 0) {
    placeholder.lastIndex = offset;
    const match = placeholder.exec(source);
    if (match?.index !== offset) return { placeholders, malformedAt: offset };
    placeholders.push({ name: match[1]!, offset });
    offset = source.indexOf('{{', placeholder.lastIndex);
  }
  return { placeholders };
}

/**
 * True for the output fields of Harrier's own alerts: `harrier.*` (group summaries, queue
 * overflow), Falco's names for the syscall drop alert (`n_evts`, `n_drops...`,
 * `ebpf_enabled`) and the capture-stopped alert's `reason`.
 */
export function isOwnAlertField(name: string): boolean {
  return /^harrier\.[a-z_.]+$|^n_evts$|^n_drops\w*$|^ebpf_enabled$|^reason$/.test(name);
}

function valueOf(alert: Alert, name: string): string {
  switch (name) {
    case 'rule':
      return alert.rule;
    case 'priority':
      return alert.priority;
    case 'source':
      return alert.source;
    case 'hostname':
      return alert.hostname;
    case 'output':
      return alert.output;
    case 'time':
      return isoTime(alert.time, 'Z');
    case 'tags':
      return alert.tags.join(',');
  }
  const value = alert.outputFields.get(name);
  if (value === undefined || value === null) return '<NA>';
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

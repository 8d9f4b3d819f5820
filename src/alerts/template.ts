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

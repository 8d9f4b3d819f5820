/**
 * The short list of name/value facts chat cards show for an alert: rule, priority, source,
 * host, time, tags, then the output fields, up to a limit.
 */
import type { Alert } from '../alert.js';
import { isoTime } from '../format.js';
import { plainValue } from '../alert-codec.js';

export interface Fact {
  readonly name: string;
  readonly value: string;
}

/** At most `limit` facts for `alert`, each value cut to `maxValue` characters. */
export function alertFacts(alert: Alert, limit: number, maxValue = 500): Fact[] {
  const facts: Fact[] = [
    { name: 'rule', value: alert.rule },
    { name: 'priority', value: alert.priority },
    { name: 'source', value: alert.source },
    { name: 'hostname', value: alert.hostname },
    { name: 'time', value: isoTime(alert.time, 'Z') },
  ];
  if (alert.tags.length > 0) facts.push({ name: 'tags', value: alert.tags.join(', ') });
  for (const [name, value] of alert.outputFields) {
    if (name.startsWith('evt.time')) continue;
    facts.push({
      name,
      value: value === null ? '<NA>' : JSON.stringify(plainValue(value)).replace(/^"|"$/g, ''),
    });
  }
  return facts
    .slice(0, limit)
    .map((fact) => ({ name: fact.name, value: cut(fact.value, maxValue) }));
}

/** `text` cut to `max` characters, the cut marked with an ellipsis. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Output fields as a string-to-string map (destinations whose details take strings only). */
export function stringFields(alert: Alert): Record<string, string> {
  const details: Record<string, string> = {};
  for (const [name, value] of alert.outputFields) {
    details[name] = typeof value === 'string' ? value : JSON.stringify(plainValue(value));
  }
  return details;
}

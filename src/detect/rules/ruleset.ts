/**
 * The active set of compiled rules: grouped by source, indexed by event type so an event only
 * meets the rules that can match it, with rules switched on and off by name or tag.
 */
import { closeEvaluationScope, openEvaluationScope } from '../../engine/index.js';
import { isAtLeast, type Priority } from './priority.js';
import type { Rule } from './rule.js';

/** `first`: stop at the first matching rule (Falco's default). `all`: every matching rule. */
export type RuleMatching = 'first' | 'all';

/** How `enable`/`disable` compare a pattern with rule names; '' matches every rule. */
export type NameMatch = 'exact' | 'substring' | 'wildcard';

export interface RuleSetOptions {
  /** Rules less severe than this are never enabled. Default `Debug` (all). */
  minimumPriority?: Priority;
  /** Default `first`. */
  ruleMatching?: RuleMatching;
}

/** What `match` returns when no rule matches. */
const NO_MATCH: readonly never[] = Object.freeze([]);

interface SourceIndex<E> {
  byType: Map<string, Rule<E>[]>;
  anyType: Rule<E>[];
}

export class RuleSet<E = unknown> {
  readonly minimumPriority: Priority;
  readonly ruleMatching: RuleMatching;
  private readonly enabled = new Set<Rule<E>>();
  private index: Map<string, SourceIndex<E>> | undefined;

  /** Enables every rule whose own `enabled` is true and whose priority reaches the minimum. */
  constructor(
    readonly rules: readonly Rule<E>[],
    options: RuleSetOptions = {},
  ) {
    this.minimumPriority = options.minimumPriority ?? 'Debug';
    this.ruleMatching = options.ruleMatching ?? 'first';
    for (const rule of rules) if (rule.enabled) this.setEnabled(rule, true);
  }

  /** Enables the rules whose names match `pattern`. */
  enable(pattern: string, match: NameMatch = 'exact'): void {
    for (const rule of this.rules)
      if (nameMatches(pattern, rule.name, match)) this.setEnabled(rule, true);
  }

  /** Disables the rules whose names match `pattern`. */
  disable(pattern: string, match: NameMatch = 'exact'): void {
    for (const rule of this.rules)
      if (nameMatches(pattern, rule.name, match)) this.setEnabled(rule, false);
  }

  /** Enables the rules carrying any of `tags`. */
  enableTags(tags: Iterable<string>): void {
    const wanted = new Set(tags);
    for (const rule of this.rules)
      if (rule.tags.some((tag) => wanted.has(tag))) this.setEnabled(rule, true);
  }

  /** Disables the rules carrying any of `tags`. */
  disableTags(tags: Iterable<string>): void {
    const wanted = new Set(tags);
    for (const rule of this.rules)
      if (rule.tags.some((tag) => wanted.has(tag))) this.setEnabled(rule, false);
  }

  isEnabled(name: string): boolean {
    for (const rule of this.enabled) if (rule.name === name) return true;
    return false;
  }

  get enabledCount(): number {
    return this.enabled.size;
  }

  /** Enabled rules in definition order. */
  enabledRules(source?: string): Rule<E>[] {
    return this.rules.filter(
      (rule) => this.enabled.has(rule) && (source === undefined || rule.source === source),
    );
  }

  /** Sources that have at least one enabled rule. */
  sources(): string[] {
    return [...new Set(this.enabledRules().map((rule) => rule.source))];
  }

  /** Event types the enabled rules of `source` need; null when some rule needs every type. */
  eventTypes(source: string): ReadonlySet<string> | null {
    const types = new Set<string>();
    for (const rule of this.enabledRules(source)) {
      if (rule.eventTypes === null) return null;
      for (const type of rule.eventTypes) types.add(type);
    }
    return types;
  }

  /**
   * The enabled rules of `source` that match `event`, whose type is `eventType` (undefined
   * for sources without event types). Rules indexed by the event's type run first, then rules
   * that take any type; with `first` the search stops at the first match. As in Falco, with
   * `all` the any-type rules only run when no type-specific rule matched. The rules share
   * the results of their common subexpressions on `event` (see `SharedChecks`).
   */
  match(source: string, eventType: string | undefined, event: E): readonly Rule<E>[] {
    const index = this.sourceIndex(source);
    if (index === undefined) return NO_MATCH;
    const typed = eventType === undefined ? undefined : index.byType.get(eventType);
    openEvaluationScope();
    try {
      const matches = typed === undefined ? NO_MATCH : this.run(typed, event);
      if (matches.length > 0) return matches;
      return this.run(index.anyType, event);
    } finally {
      closeEvaluationScope();
    }
  }

  /** The rules of `rules` that match; most events match none, and get no array of their own. */
  private run(rules: readonly Rule<E>[], event: E): readonly Rule<E>[] {
    let matches: Rule<E>[] | undefined;
    // An indexed loop: for-of costs an iterator per call here, measurably per event.
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (!rule.filter.evaluate(event)) continue;
      (matches ??= []).push(rule);
      if (this.ruleMatching === 'first') break;
    }
    return matches ?? NO_MATCH;
  }

  private setEnabled(rule: Rule<E>, enabled: boolean): void {
    if (enabled && !isAtLeast(rule.priority, this.minimumPriority)) return;
    if (enabled === this.enabled.has(rule)) return;
    if (enabled) this.enabled.add(rule);
    else this.enabled.delete(rule);
    this.index = undefined;
  }

  private sourceIndex(source: string): SourceIndex<E> | undefined {
    this.index ??= this.buildIndex();
    return this.index.get(source);
  }

  private buildIndex(): Map<string, SourceIndex<E>> {
    const index = new Map<string, SourceIndex<E>>();
    for (const rule of this.enabledRules()) {
      let entry = index.get(rule.source);
      if (entry === undefined) index.set(rule.source, (entry = { byType: new Map(), anyType: [] }));
      if (rule.eventTypes === null) {
        entry.anyType.push(rule);
        continue;
      }
      for (const type of rule.eventTypes) {
        const list = entry.byType.get(type);
        if (list === undefined) entry.byType.set(type, [rule]);
        else list.push(rule);
      }
    }
    return index;
  }
}

function nameMatches(pattern: string, name: string, match: NameMatch): boolean {
  if (pattern === '') return true;
  if (match === 'exact') return pattern === name;
  if (match === 'substring') return name.includes(pattern);
  return matchesWildcard(pattern, name);
}

/**
 * Falco's wildcard match: `*` stands for any text, matched at the first place the next
 * literal part occurs (no backtracking).
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  let rest = pattern;
  let subject = text;
  for (;;) {
    const star = rest.indexOf('*');
    if (star < 0) return rest === subject;
    if (star > 0) {
      if (rest.slice(0, star) !== subject.slice(0, star)) return false;
      rest = rest.slice(star);
      subject = subject.slice(star);
      continue;
    }
    const next = rest.search(/[^*]/);
    if (next < 0) return true;
    rest = rest.slice(next);
    const starAfter = rest.indexOf('*');
    const literal = starAfter < 0 ? rest : rest.slice(0, starAfter);
    const found = subject.indexOf(literal);
    if (found < 0) return false;
    rest = rest.slice(literal.length);
    subject = subject.slice(found + literal.length);
  }
}

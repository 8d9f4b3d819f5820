/**
 * Expands list references in condition text before parsing, exactly as Falco does it: by
 * text substitution. A list name standing between delimiters (blank, `(`, `)`, `,`, `=`,
 * start or end) is replaced with its items joined by `, `, items holding a space being
 * double-quoted unless they already start with a quote. An empty list also eats one
 * neighbouring comma. Each substitution keeps a map from new to old character indexes, so
 * parser positions still point into the original text.
 * @internal
 */

/** A list as the expansion sees it: its name and its (already list-expanded) items. */
export interface ExpandableList {
  name: string;
  items: readonly string[];
}

export interface ExpandedText {
  text: string;
  /** For each index of `text`, the index in the original text it came from. */
  origin: number[];
  /** Names of the lists that were substituted at least once. */
  used: Set<string>;
}

const BLANKS = ' \t\n\r';
const DELIMITERS = BLANKS + '(),=';

/** Double-quotes an item that holds a space and does not already start with a quote. */
export function quoteItem(item: string): string {
  if (item.includes(' ') && item[0] !== '"' && item[0] !== "'") return `"${item}"`;
  return item;
}

/** Substitutes every list, in the order given, into `text`. */
export function expandLists(text: string, lists: Iterable<ExpandableList>): ExpandedText {
  const expanded: ExpandedText = { text, origin: [], used: new Set() };
  for (let i = 0; i < text.length; i++) expanded.origin.push(i);
  for (const list of lists) {
    if (list.name !== '' && expanded.text.includes(list.name) && substitute(expanded, list)) {
      expanded.used.add(list.name);
    }
  }
  return expanded;
}

/** One list's substitution loop; mirrors Falco's cursor arithmetic, quirks included. */
function substitute(expanded: ExpandedText, list: ExpandableList): boolean {
  let used = false;
  let start = expanded.text.indexOf(list.name);
  while (start !== -1) {
    const text = expanded.text;
    let end = start + list.name.length;
    if (isDelimiterBefore(text, start) && isDelimiterAt(text, end)) {
      const nameStart = start;
      while (start > 0 && BLANKS.includes(text.charAt(start - 1))) start--;
      while (end < text.length && BLANKS.includes(text.charAt(end))) end++;
      const replacement = list.items.map(quoteItem).join(', ');
      if (replacement === '') {
        if (start > 0 && text[start - 1] === ',') start--;
        else if (end < text.length && text[end] === ',') end++;
      }
      splice(expanded, start, end, replacement, nameStart);
      start += replacement.length + 1;
      used = true;
    }
    start = expanded.text.indexOf(list.name, start + 1);
  }
  return used;
}

function isDelimiterBefore(text: string, start: number): boolean {
  return start === 0 || DELIMITERS.includes(text.charAt(start - 1));
}

function isDelimiterAt(text: string, end: number): boolean {
  return end >= text.length || DELIMITERS.includes(text.charAt(end));
}

/** Replaces `[start, end)` with (a blank if not at the start) `replacement` and a blank. */
function splice(
  expanded: ExpandedText,
  start: number,
  end: number,
  replacement: string,
  nameStart: number,
): void {
  const { text, origin } = expanded;
  const nameOrigin = origin[nameStart] ?? 0;
  const lead = start > 0 ? ' ' : '';
  const inserted = lead + replacement + ' ';
  expanded.text = text.slice(0, start) + inserted + text.slice(end);
  expanded.origin = [
    ...origin.slice(0, start),
    ...new Array<number>(inserted.length).fill(nameOrigin),
    ...origin.slice(end),
  ];
}

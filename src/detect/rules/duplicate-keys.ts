/**
 * Repeated keys in a mapping of a rule file. yaml-cpp, and so Falco, accepts them without a
 * word and reads the first; Harrier reads the first too, and warns at each later one so that
 * an edit made to the ignored copy is not lost silently.
 * @internal
 */
import type { ItemContext, LoadReport } from './context.js';
import type { YamlNode } from './yaml-tree.js';

/** Warns at every key repeated in `node` or in the mappings and sequences inside it. */
export function warnDuplicateKeys(node: YamlNode, report: LoadReport, context: ItemContext): void {
  walk(node, report, context, new Set());
}

function walk(node: YamlNode, report: LoadReport, context: ItemContext, seen: Set<YamlNode>): void {
  // Aliases share nodes, and an anchor may hold itself: each node is looked at once.
  if (seen.has(node)) return;
  seen.add(node);
  if (node.kind === 'seq') node.items.forEach((item) => walk(item, report, context, seen));
  if (node.kind !== 'map') return;
  const firstKeys = new Map<string, YamlNode>();
  for (const { key, value } of node.entries) {
    if (key.kind !== 'scalar') continue;
    const first = firstKeys.get(key.value);
    const keyContext = context.child('value for', key.value, key.offset);
    if (first === undefined) firstKeys.set(key.value, key);
    else
      report.warning(
        'HARRIER_DUPLICATE_KEY',
        repeatedMessage(key.value, first, context),
        keyContext,
      );
    walk(value, report, keyContext, seen);
  }
}

function repeatedMessage(key: string, first: YamlNode, context: ItemContext): string {
  const { line, column } = context.file.lineColumn(first.offset);
  return `key '${key}' appears again in this mapping; the first one, at line ${line} column ${column}, is used and this one is ignored`;
}

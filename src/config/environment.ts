/**
 * Environment overrides for `harrier.yaml`: a variable `HARRIER__A__B=value` sets key `a.b`
 * (segments lowercased, `__` between them) to `value` read as YAML, before validation. In the
 * `outputs` list a segment names an output by its `name`:
 * `HARRIER__OUTPUTS__SLACK__URL=http://…` sets the url of the output named `slack`.
 */
import { isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import { describeSyntaxError } from '../detect/index.js';

const prefix = 'HARRIER__';

/** One override that could not be applied. */
export interface OverrideProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * Applies every `HARRIER__` variable of `environment` to `document`. Returns the nodes each
 * variable set (for diagnostics) and the variables that named no existing list item.
 */
export function applyOverrides(
  document: Document,
  environment: Readonly<Record<string, string | undefined>>,
): { fromEnvironment: Map<Node, string>; problems: OverrideProblem[] } {
  const fromEnvironment = new Map<Node, string>();
  const problems: OverrideProblem[] = [];
  for (const [variable, value] of Object.entries(environment).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    if (!variable.startsWith(prefix) || value === undefined) continue;
    const segments = variable
      .slice(prefix.length)
      .toLowerCase()
      .split('__')
      .filter((s) => s !== '');
    const path = resolvePath(document, segments);
    if (typeof path === 'string') {
      problems.push({ variable, message: path });
      continue;
    }
    const parsed = parseDocument(value);
    if (parsed.errors.length > 0) {
      const { message, offset } = describeSyntaxError(value, parsed.errors[0]!);
      problems.push({
        variable,
        message: `the value is not valid YAML: ${message.replace('the file', 'the value')} (at character ${offset + 1})`,
      });
      continue;
    }
    const node = document.createNode(parsed.toJS()) as Node;
    visit(node, { Node: (_, child) => void fromEnvironment.set(child, variable) });
    fromEnvironment.set(node, variable);
    if (document.contents === null) document.contents = document.createNode({}) as never;
    const existing = existingDepth(document, path);
    document.setIn(path, node);
    // Mappings the override had to create (`a` for HARRIER__A__B) are its own too, so a
    // problem found at them names the variable.
    for (let depth = existing + 1; depth < path.length; depth++)
      fromEnvironment.set(document.getIn(path.slice(0, depth), true) as Node, variable);
  }
  return { fromEnvironment, problems };
}

/** How many leading keys of `path` the document already has. */
function existingDepth(document: Document, path: readonly (string | number)[]): number {
  let depth = 0;
  while (depth < path.length && document.hasIn(path.slice(0, depth + 1))) depth++;
  return depth;
}

/** The key path for `segments`, list items found by their `name`; a message when none matches. */
function resolvePath(document: Document, segments: string[]): (string | number)[] | string {
  if (segments.length === 0) return 'the variable names no key';
  const path: (string | number)[] = [];
  for (const segment of segments) {
    const parent = path.length === 0 ? document.contents : document.getIn(path, true);
    if (!isSeq(parent)) {
      path.push(segment);
      continue;
    }
    const index = parent.items.findIndex(
      (item) => isMap(item) && nameOf(item.get('name', true)) === segment,
    );
    if (index < 0) return `no item named '${segment}' in '${path.join('.')}'`;
    path.push(index);
  }
  return path;
}

function nameOf(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value.toLowerCase() : undefined;
}

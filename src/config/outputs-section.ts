/**
 * The `outputs:` list: each item names an output, its type, the common delivery settings and
 * the options of its type (see `outputKinds`), all side by side in one mapping.
 */
import type { Node } from 'yaml';
import { FETCH_BAD_PORTS } from './fetch-bad-ports.js';
import {
  isOutputType,
  outputKinds,
  type OptionSpec,
  type OutputSpec,
  type OutputType,
} from '../alerts/index.js';
import { checkOutputValues, type OutputCheckContext } from './output-checks.js';
import { ConfigReader, describeNode, join, type Entries } from './reader.js';

const commonKeys = [
  'name',
  'type',
  'enabled',
  'min_priority',
  'rules',
  'tags',
  'sources',
  'template',
  'queue_size',
  'timeout',
  'retry',
];

/** The most alerts an output's queue may hold: 10 million, gigabytes of disk already. */
const MAX_QUEUE_SIZE = 10_000_000;

/**
 * The enabled outputs of the list, validated. A disabled output's values are not read (its
 * `${VAR}`s need not be set): only its name, type and keys are checked.
 */
export function readOutputs(
  reader: ConfigReader,
  node: Node | null,
  context: OutputCheckContext,
): OutputSpec[] {
  const items = reader.sequence(node, 'outputs') ?? [];
  const names = new Set<string>();
  const outputs: OutputSpec[] = [];
  items.forEach((item, index) => {
    const spec = readOutput(reader, item, `outputs[${index}]`, context);
    if (spec === undefined) return;
    if (names.has(spec.name))
      reader.error(item, `outputs[${index}].name`, `output name '${spec.name}' is used twice`);
    names.add(spec.name);
    if (spec.spec !== undefined) outputs.push(spec.spec);
  });
  return outputs;
}

/** The output's name, and its spec when it is enabled. */
function readOutput(
  reader: ConfigReader,
  node: Node | null,
  key: string,
  context: OutputCheckContext,
): { name: string; spec: OutputSpec | undefined } | undefined {
  const loose = reader.mapping(node, key);
  if (loose === undefined) return undefined;
  const typeEntry = loose.get('type');
  if (typeEntry === undefined) return void reader.error(node, key, `output '${key}' has no 'type'`);
  const typeName = reader.string(typeEntry.value, join(key, 'type'));
  if (typeName === undefined) return undefined;
  if (!isOutputType(typeName)) {
    const known = Object.keys(outputKinds).join(', ');
    return void reader.error(
      typeEntry.value,
      join(key, 'type'),
      `unknown output type '${typeName}'; expected one of ${known}`,
    );
  }
  const kind = outputKinds[typeName as OutputType];
  const entries =
    reader.mapping(node, key, [...commonKeys, ...Object.keys(kind.options)]) ?? new Map();
  const name = entries.has('name')
    ? reader.string(entries.get('name')?.value, join(key, 'name'))
    : undefined;
  if (name === undefined && !entries.has('name'))
    reader.error(node, key, `output '${key}' has no 'name'`);
  const enabled = entries.has('enabled')
    ? reader.boolean(entries.get('enabled')?.value, join(key, 'enabled'))
    : true;
  if (enabled === false) return name === undefined ? undefined : { name, spec: undefined };
  const options = readOptions(reader, entries, key, kind.options);
  const common = readCommon(reader, entries, key);
  if (name === undefined || options === undefined) return undefined;
  const spec = { ...common, name, type: typeName as OutputType, options };
  checkOutputValues(reader, entries, key, spec, context);
  return { name, spec };
}

function readCommon(
  reader: ConfigReader,
  entries: Entries,
  key: string,
): Omit<OutputSpec, 'name' | 'type' | 'options'> {
  const at = (name: string): Node | null | undefined => entries.get(name)?.value;
  const has = (name: string): boolean => entries.has(name);
  const retry = has('retry') ? readRetry(reader, at('retry'), join(key, 'retry')) : undefined;
  return {
    ...(has('min_priority')
      ? { minPriority: reader.priority(at('min_priority'), join(key, 'min_priority')) }
      : {}),
    ...(has('rules') ? { rules: reader.strings(at('rules'), join(key, 'rules')) } : {}),
    ...(has('tags') ? { tags: reader.strings(at('tags'), join(key, 'tags')) } : {}),
    ...(has('sources') ? { sources: reader.strings(at('sources'), join(key, 'sources')) } : {}),
    ...(has('template') ? { template: reader.string(at('template'), join(key, 'template')) } : {}),
    ...(has('queue_size')
      ? {
          queueSize: reader.number(at('queue_size'), join(key, 'queue_size'), 1, {
            maximum: MAX_QUEUE_SIZE,
            integer: true,
          }),
        }
      : {}),
    ...(has('timeout')
      ? { timeoutMs: reader.duration(at('timeout'), join(key, 'timeout'), timerLimits) }
      : {}),
    ...(retry === undefined ? {} : { retry }),
  };
}

/** A send timeout or a retry delay: 0 would abort every send or retry without a pause. */
const timerLimits = { positive: true, timer: true };

function readRetry(reader: ConfigReader, node: Node | null | undefined, key: string) {
  const entries = reader.mapping(node, key, ['initial', 'max']);
  if (entries === undefined) return undefined;
  const initial = entries.has('initial')
    ? reader.duration(entries.get('initial')?.value, join(key, 'initial'), timerLimits)
    : 500;
  const max = entries.has('max')
    ? reader.duration(entries.get('max')?.value, join(key, 'max'), timerLimits)
    : 60_000;
  if (initial !== undefined && max !== undefined && initial > max) {
    const written = (name: string) =>
      entries.has(name) ? describeNode(entries.get(name)?.value) : `the default ${name}`;
    reader.error(
      entries.get('initial')?.value ?? entries.get('max')?.value,
      join(key, 'initial'),
      `expected '${join(key, 'initial')}' to be at most '${join(key, 'max')}', found ${written('initial')} above ${written('max')}`,
    );
  }
  return { initialDelayMs: initial ?? 500, maxDelayMs: max ?? 60_000 };
}

/** The type's options by property name; undefined when a required one is missing. */
function readOptions(
  reader: ConfigReader,
  entries: Entries,
  key: string,
  specs: Readonly<Record<string, OptionSpec>>,
): Record<string, unknown> | undefined {
  const options: Record<string, unknown> = {};
  let complete = true;
  for (const [name, spec] of Object.entries(specs)) {
    const entry = entries.get(name);
    if (entry === undefined) {
      if (spec.required) {
        reader.error(
          entries.get('type')?.value,
          join(key, name),
          `output '${key}' needs '${name}'`,
        );
        complete = false;
      }
      continue;
    }
    const value = readOption(reader, entry.value, join(key, name), spec);
    if (value !== undefined) options[spec.property] = value;
  }
  return complete ? options : undefined;
}

function readOption(
  reader: ConfigReader,
  node: Node | null,
  key: string,
  spec: OptionSpec,
): unknown {
  switch (spec.kind) {
    case 'string':
      return spec.values === undefined
        ? reader.string(node, key)
        : reader.oneOf(node, key, spec.values);
    case 'url': {
      const text = reader.string(node, key);
      const problem = text === undefined ? undefined : urlProblem(text, key);
      if (problem !== undefined) reader.error(node, key, problem);
      return text;
    }
    case 'number':
      return reader.number(node, key);
    case 'port':
      return reader.number(node, key, 1, { maximum: 65535, integer: true });
    case 'duration':
      return reader.duration(node, key, { positive: true });
    case 'size':
      return reader.byteSize(node, key);
    case 'boolean':
      return reader.boolean(node, key);
    case 'strings':
      return reader.strings(node, key);
    case 'map':
      return reader.stringMap(node, key);
  }
}

/** Why `text` cannot be an output's URL, or undefined. */
function urlProblem(text: string, key: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `expected an http or https URL for '${key}'`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `expected an http or https URL for '${key}'`;
  if (url.port === '0')
    return `port 0 of '${key}' names no port: give the port the destination listens on`;
  if (url.port !== '' && FETCH_BAD_PORTS.has(Number(url.port)))
    return `port ${url.port} of '${key}' is one that fetch refuses (a "bad port" of the Fetch standard), so no alert would arrive: use another port`;
  return undefined;
}

/**
 * Loading `harrier.yaml`: parse, apply environment overrides, validate every section, fill in
 * defaults. Every problem is reported with its key and line; a file with any error yields no
 * configuration.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, LineCounter, parseDocument, type Node, type YAMLError } from 'yaml';
import type { GroupingRule } from '../alerts/index.js';
import { describeSyntaxError } from '../detect/index.js';
import { unreadableFileKind, UnreadableFileKindError } from '../sources/files/index.js';
import type { ConfigDiagnostic } from './diagnostic.js';
import { checkDirectories, type ConfigUse } from './directories.js';
import { readAppendOutput } from './append-output-section.js';
import { applyOverrides } from './environment.js';
import { readOutputs } from './outputs-section.js';
import { ConfigReader, join } from './reader.js';
import { ALERT_SOURCES, isSourceField, readSources } from './sources-section.js';
import type { HarrierConfig, MetricsConfig, StoreConfig } from './types.js';

export interface ConfigResult {
  /** Undefined when there is any error (warnings leave it). */
  readonly config: HarrierConfig | undefined;
  readonly diagnostics: readonly ConfigDiagnostic[];
}

const topKeys = [
  'rules_files',
  'priority',
  'rule_matching',
  'append_output',
  'sources',
  'state_dir',
  'outputs',
  'grouping',
  'store',
  'metrics',
];

/** Default state directory for queues and the store. */
export const defaultStateDir = '/var/lib/harrier';

/** The store settings when nothing configures them: `<stateDir>/alerts.db`, 30 days kept. */
export function defaultStoreConfig(stateDir = defaultStateDir): StoreConfig {
  return {
    enabled: true,
    configured: false,
    path: path.join(stateDir, 'alerts.db'),
    retention: { maxAgeMs: 30 * 86_400_000 },
  };
}

/**
 * Reads and validates `file`. Environment overrides and `${VAR}` references come from
 * `environment`; `use` says which directories the file names are to be written (see
 * `ConfigUse`). Does not throw on a bad file: problems come back as diagnostics.
 *
 * @example
 * const { config, diagnostics } = loadConfigFile('/etc/harrier/harrier.yaml');
 * if (!config) for (const d of diagnostics) console.error(formatConfigDiagnostic(d));
 */
export function loadConfigFile(
  file: string,
  environment: Readonly<Record<string, string | undefined>> = process.env,
  use: ConfigUse = {},
): ConfigResult {
  let text: string;
  try {
    const refused = unreadableFileKind(file);
    if (refused !== undefined) throw new UnreadableFileKindError(refused);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const message = readFailure(file, error as NodeJS.ErrnoException);
    const diagnostic = {
      code: 'HARRIER_CONFIG_READ',
      severity: 'error',
      message,
      file,
      line: 0,
      column: 0,
      snippet: '',
      key: '',
    } as const;
    return { config: undefined, diagnostics: [diagnostic] };
  }
  return loadConfig(text, file, environment, use);
}

/** Why `file` could not be read, in the user's terms rather than the system call's. */
function readFailure(file: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'HARRIER_UNREADABLE_FILE_KIND':
      return `config file ${file} ${error.message}`;
    case 'ENOENT':
      return `config file ${file} does not exist`;
    case 'EISDIR':
      return `config file ${file} is a directory`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read config file ${file}: permission denied`;
    case 'ENOTDIR':
      return `config file ${file} does not exist: a part of its path is not a directory`;
    default:
      return `cannot read config file ${file}: ${error.message}`;
  }
}

/** Validates configuration `text`, named `file` in diagnostics. */
export function loadConfig(
  text: string,
  file = 'harrier.yaml',
  environment: Readonly<Record<string, string | undefined>> = process.env,
  use: ConfigUse = {},
): ConfigResult {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  if (document.errors.length > 0) {
    const diagnostics = document.errors.map((error) => yamlDiagnostic(text, file, lines, error));
    return { config: undefined, diagnostics };
  }
  const { fromEnvironment, problems } = applyOverrides(document, environment);
  const reader = new ConfigReader(file, text, lines, fromEnvironment, environment);
  for (const problem of problems)
    reader.error(
      undefined,
      problem.variable,
      `${problem.variable}: ${problem.message}`,
      'HARRIER_CONFIG_ENV',
    );
  const config = readTop(reader, document.contents as Node | null, path.dirname(file), use);
  checkDirectories(reader, document, config, use);
  // In file order, as a reader fixes them; those of environment variables (line 0) first.
  const diagnostics = [...reader.diagnostics].sort(
    (a, b) => a.line - b.line || a.column - b.column,
  );
  return { config: reader.failed ? undefined : config, diagnostics };
}

function readTop(
  reader: ConfigReader,
  node: Node | null,
  baseDir: string,
  use: ConfigUse,
): HarrierConfig {
  const entries = node === null ? new Map() : (reader.mapping(node, '', topKeys) ?? new Map());
  const at = (key: string): Node | null | undefined => entries.get(key)?.value;
  const command = use.rulesAndStoreOnly;
  for (const [section, effect] of UNUSED_SECTION_EFFECTS)
    if (command !== undefined && entries.has(section))
      reader.warning(
        entries.get(section)?.key,
        section,
        `${command} ${effect}; the '${section}' section is not used`,
        'HARRIER_CONFIG_UNUSED',
      );
  const stateDir = entries.has('state_dir')
    ? (reader.string(at('state_dir'), 'state_dir') ?? defaultStateDir)
    : defaultStateDir;
  const rulesFiles = entries.has('rules_files')
    ? (reader.strings(at('rules_files'), 'rules_files') ?? [])
    : [];
  if (use.rulesFromCommandLine && rulesFiles.length > 0)
    reader.warning(
      entries.get('rules_files')?.key,
      'rules_files',
      "the rule files given with -r are loaded instead; 'rules_files' is not used",
      'HARRIER_CONFIG_UNUSED',
    );
  const appendOutput = entries.has('append_output')
    ? readAppendOutput(reader, at('append_output'))
    : [];
  const delivers = !use.noOutputs && use.rulesAndStoreOnly === undefined;
  return {
    rulesFiles: rulesFiles.map((file) => path.resolve(baseDir, file)),
    priority: entries.has('priority')
      ? (reader.priority(at('priority'), 'priority') ?? 'Debug')
      : 'Debug',
    ruleMatching: entries.has('rule_matching')
      ? (reader.oneOf(at('rule_matching'), 'rule_matching', ['first', 'all']) ?? 'first')
      : 'first',
    appendOutput,
    sources: entries.has('sources') ? readSources(reader, at('sources')) : {},
    stateDir,
    outputs: !delivers
      ? []
      : entries.has('outputs')
        ? readOutputs(reader, at('outputs') ?? null, {
            extraFieldKeys: appendOutput.flatMap((entry) => entry.extraFields.map((f) => f.key)),
            checkPlaces: use.queues === true,
          })
        : [{ name: 'stdout', type: 'stdout', options: {} }],
    grouping: entries.has('grouping') ? readGrouping(reader, at('grouping')) : [],
    store: readStore(reader, at('store'), entries.has('store'), stateDir),
    metrics: readMetrics(reader, at('metrics'), entries.has('metrics')),
  };
}

/** What a command using only rules and the store (replay) does not do, by section. */
const UNUSED_SECTION_EFFECTS: ReadonlyArray<readonly [string, string]> = [
  ['outputs', 'does not deliver to configured outputs'],
  ['grouping', 'does not group alerts'],
  ['metrics', 'serves no metrics'],
  ['sources', 'reads only the files it is given'],
];

function readGrouping(reader: ConfigReader, node: Node | null | undefined): GroupingRule[] {
  const items = reader.sequence(node, 'grouping') ?? [];
  return items.flatMap((item, index) => {
    const key = `grouping[${index}]`;
    const entries = reader.mapping(item, key, ['rules', 'window', 'key_fields']);
    if (entries === undefined) return [];
    for (const needed of ['rules', 'window']) {
      if (!entries.has(needed))
        reader.error(item, join(key, needed), `grouping entry '${key}' needs '${needed}'`);
    }
    const rules = entries.has('rules')
      ? reader.strings(entries.get('rules')?.value, join(key, 'rules'))
      : undefined;
    // A window of 0 would group nothing: the grouper skips such a rule.
    const windowMs = entries.has('window')
      ? reader.duration(entries.get('window')?.value, join(key, 'window'), {
          positive: true,
          timer: true,
        })
      : undefined;
    const keyFieldsNode = entries.get('key_fields')?.value;
    const keyFields = entries.has('key_fields')
      ? reader.strings(keyFieldsNode, join(key, 'key_fields'))
      : [];
    if (keyFields?.length === 0 && entries.has('key_fields')) {
      reader.error(
        keyFieldsNode,
        join(key, 'key_fields'),
        `expected at least one field in '${join(key, 'key_fields')}'; leave the key out to group every alert of the rules together`,
      );
      return [];
    }
    if (keyFields !== undefined) checkKeyFields(reader, keyFieldsNode, keyFields, key);
    if (rules === undefined || windowMs === undefined || keyFields === undefined) return [];
    return [{ rules, windowMs, keyFields }];
  });
}

/**
 * Each key field must be a field some source has (`proc.aname[2]` included): a misspelt one
 * would be empty on every alert and quietly put unrelated alerts in one group.
 */
function checkKeyFields(
  reader: ConfigReader,
  node: Node | null | undefined,
  fields: readonly string[],
  key: string,
): void {
  const items = isSeq(node) ? (node.items as (Node | null)[]) : [node];
  fields.forEach((field, index) => {
    if (!isSourceField(field))
      reader.error(
        items[index] ?? node,
        `${join(key, 'key_fields')}[${index}]`,
        `grouping key field '${field}' is not a field of any source (${ALERT_SOURCES.join(', ')})`,
      );
  });
}

function readStore(
  reader: ConfigReader,
  node: Node | null | undefined,
  present: boolean,
  stateDir: string,
): StoreConfig {
  const defaults = defaultStoreConfig(stateDir);
  if (!present) return defaults;
  const entries = reader.mapping(node, 'store', ['enabled', 'path', 'retention']) ?? new Map();
  const retention = entries.has('retention')
    ? reader.mapping(entries.get('retention')?.value, 'store.retention', ['max_age', 'max_alerts'])
    : undefined;
  const maxAge = retention?.has('max_age')
    ? reader.duration(retention.get('max_age')?.value, 'store.retention.max_age')
    : undefined;
  const maxAlerts = retention?.has('max_alerts')
    ? reader.number(retention.get('max_alerts')?.value, 'store.retention.max_alerts', 1)
    : undefined;
  return {
    configured: true,
    enabled: entries.has('enabled')
      ? (reader.boolean(entries.get('enabled')?.value, 'store.enabled') ?? true)
      : true,
    path: entries.has('path')
      ? (reader.string(entries.get('path')?.value, 'store.path') ?? defaults.path)
      : defaults.path,
    retention: retention === undefined ? defaults.retention : { maxAgeMs: maxAge, maxAlerts },
  };
}

function readMetrics(
  reader: ConfigReader,
  node: Node | null | undefined,
  present: boolean,
): MetricsConfig {
  const defaults = { enabled: false, listen: '127.0.0.1:9376' };
  if (!present) return defaults;
  const entries = reader.mapping(node, 'metrics', ['enabled', 'listen']) ?? new Map();
  const listen = entries.has('listen')
    ? reader.string(entries.get('listen')?.value, 'metrics.listen')
    : defaults.listen;
  const port =
    listen === undefined ? undefined : /^(?:[^\s:]*|\[[^\]]+\]):(\d+)$/.exec(listen)?.[1];
  if (listen !== undefined && port === undefined) {
    reader.error(
      entries.get('listen')?.value,
      'metrics.listen',
      `expected host:port for 'metrics.listen', found '${listen}'`,
    );
  } else if (port !== undefined && Number(port) > 65535) {
    reader.error(
      entries.get('listen')?.value,
      'metrics.listen',
      `port ${port} of 'metrics.listen' is out of range: expected 0 to 65535`,
    );
  }
  return {
    enabled: entries.has('enabled')
      ? (reader.boolean(entries.get('enabled')?.value, 'metrics.enabled') ?? false)
      : false,
    listen: listen ?? defaults.listen,
  };
}

/**
 * A YAML syntax error in the words and at the place rule files use: an unclosed bracket or
 * quote at its opening, any other error inside the file (the library may place it past the end).
 */
function yamlDiagnostic(
  text: string,
  file: string,
  lines: LineCounter,
  error: YAMLError,
): ConfigDiagnostic {
  const { message, offset } = describeSyntaxError(text, error);
  const position = lines.linePos(offset);
  return {
    code: 'HARRIER_CONFIG_YAML',
    severity: 'error',
    message,
    file,
    line: position.line,
    column: position.col,
    snippet: text.split('\n')[position.line - 1] ?? '',
    key: '',
  };
}

/**
 * The rule loader's entry points: read rule files, collect their items across files in
 * order, compile, and hand back the ruleset with every diagnostic found on the way.
 */
import { readdir } from 'node:fs/promises';
import { readCheckedText } from '../../sources/files/index.js';
import {
  compileCondition,
  type Diagnostic,
  type FieldTable,
  fieldTableFor,
  parseCondition,
} from '../../engine/index.js';
import { AppendOutput, type AppendOutputEntry } from './append-output.js';
import { Collector, type SourceCatalog } from './collector.js';
import { compileRules, type TableLookup } from './compile-rules.js';
import { ItemContext, LoadReport, SourceFile } from './context.js';
import type { Priority } from './priority.js';
import { readRuleFile } from './reader.js';
import { systemReason } from './system-reason.js';
import type { Rule } from './rule.js';
import { RuleSet, type RuleMatching } from './ruleset.js';
import {
  checkPluginRequirements,
  engineVersion,
  formatVersion,
  parseVersion,
  type AvailablePlugin,
  type PluginRequirement,
  type Version,
} from './versions.js';

/** A rule file's name (shown in diagnostics) and its text. */
export interface RuleFile {
  name: string;
  content: string;
}

export interface LoadOptions {
  /** Field table per event source; default: Harrier's built-in tables (`fieldTableFor`). */
  fieldTables?: (source: string) => FieldTable<unknown> | undefined;
  /** Rules less severe than this are loaded but not enabled. Default `Debug`. */
  minimumPriority?: Priority;
  /** Default `first`, as Falco. */
  ruleMatching?: RuleMatching;
  /**
   * Plugins to check `required_plugin_versions` against. Left out, requirements are only
   * collected (in the result), not checked.
   */
  plugins?: readonly AvailablePlugin[];
  /**
   * The configuration's `append_output` entries, in order: texts appended to the outputs of
   * the rules they match and extra output fields. Default none.
   */
  appendOutput?: readonly AppendOutputEntry[];
}

export interface LoadResult {
  /** The ruleset to run; absent when any diagnostic is an error. */
  ruleSet?: RuleSet;
  /** Every error and warning, in the order found. */
  diagnostics: Diagnostic[];
  /** All rules that compiled, even when others failed (for `rules show`). */
  rules: Rule[];
  /** Highest `required_engine_version` seen, as `x.y.z`. */
  requiredEngineVersion?: string;
  /** One group per `required_plugin_versions` entry: the plugin and its alternatives. */
  requiredPluginVersions: PluginRequirement[][];
}

const BYTE_ORDER_MARK = /^\uFEFF/;

/**
 * Loads rule files in order, as Falco loads `-r a.yaml -r b.yaml`: later files may append
 * to, override or disable items of earlier ones. Never throws for bad rule content: every
 * problem becomes a diagnostic, and loading goes on past it to find the others.
 *
 * As in Falco, the items collected so far are compiled after each file, so a rule may not
 * use a macro that only a later file defines.
 *
 * @example
 * const { ruleSet, diagnostics } = loadRuleFiles([{ name: 'local.yaml', content: text }]);
 * for (const diagnostic of diagnostics) console.error(formatDiagnostic(diagnostic));
 * const matched = ruleSet?.match('syscall', 'execve', event) ?? [];
 */
// LIMIT: Falco's JSON-schema check of rule files (its "schema warnings") is not run; shape
// problems still surface as LOAD_ERR_YAML_VALIDATE errors, but schema-only remarks do not.
export function loadRuleFiles(files: readonly RuleFile[], options: LoadOptions = {}): LoadResult {
  const tables: TableLookup =
    options.fieldTables ?? ((source) => fieldTableFor(source) as FieldTable<unknown> | undefined);
  const report = new LoadReport();
  const collector = new Collector(
    new FieldCatalog(tables),
    report,
    parseVersion(engineVersion) as Version,
  );
  const appendOutput = new AppendOutput(options.appendOutput ?? []);
  let rules: Rule[] = [];
  // YAML allows a byte order mark before the first document (yaml-cpp skips it); the yaml
  // package trips on it before a top-level sequence. Without it, line 1's columns are as seen.
  const sources = files.map(
    (file) => new SourceFile(file.name, file.content.replace(BYTE_ORDER_MARK, '')),
  );
  for (const [position, file] of sources.entries()) {
    readRuleFile(file, collector, report);
    const last = position === sources.length - 1;
    if (!last && report.hasErrors) continue;
    rules = compileRules(collector, tables, report, appendOutput);
  }
  if (!report.hasErrors) appendOutput.warnUnnamedRules(report);
  checkPlugins(collector, options, report, sources[0]);
  const result: LoadResult = {
    diagnostics: report.diagnostics,
    rules,
    requiredPluginVersions: collector.pluginRequirements,
  };
  if (collector.requiredEngineVersion !== undefined) {
    result.requiredEngineVersion = formatVersion(collector.requiredEngineVersion);
  }
  if (!report.hasErrors) result.ruleSet = new RuleSet(rules, options);
  return result;
}

/**
 * Reads the files at `paths` and loads them with `loadRuleFiles`. A file that cannot be read
 * gives a LOAD_ERR_FILE_READ diagnostic (and the others are still read and checked).
 */
export async function loadRuleFilesFromDisk(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const files: RuleFile[] = [];
  const failures: Diagnostic[] = [];
  for (const path of paths) {
    try {
      files.push({ name: path, content: await readCheckedText(path, { directory: true }) });
    } catch (error) {
      const context = ItemContext.root(new SourceFile(path, ''));
      const message = await describeReadFailure(path, error);
      failures.push({ ...context.diagnose('LOAD_ERR_FILE_READ', 'error', message), ...NO_PLACE });
    }
  }
  const result = loadRuleFiles(files, options);
  if (failures.length === 0) return result;
  // A file that could not be read is an error: no ruleset, whatever the others hold.
  const merged: LoadResult = {
    diagnostics: [...failures, ...result.diagnostics],
    rules: result.rules,
    requiredPluginVersions: result.requiredPluginVersions,
  };
  if (result.requiredEngineVersion !== undefined)
    merged.requiredEngineVersion = result.requiredEngineVersion;
  return merged;
}

/** The place of a problem with a whole file: no line or column, no snippet. */
const NO_PLACE = { line: 0, column: 0, snippet: '' };

/** A rule file's name: `.yaml` or `.yml`, rule test files (`.test.yaml`) left out. */
export function isRuleFileName(name: string): boolean {
  return /\.ya?ml$/.test(name) && !name.endsWith('.test.yaml');
}

/**
 * Why `path` could not be read. Callers expand directories into their rule files, so a directory that
 * reaches here has none, unless the caller did not expand it.
 */
async function describeReadFailure(path: string, error: unknown): Promise<string> {
  if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
    const names = await readdir(path).catch(() => []);
    if (!names.some(isRuleFileName)) return `no rule files found in ${path}`;
    return `could not read rules file ${path}: it is a directory`;
  }
  return `could not read rules file ${path}: ${systemReason(error)}`;
}

function checkPlugins(
  collector: Collector,
  options: LoadOptions,
  report: LoadReport,
  file: SourceFile | undefined,
): void {
  if (options.plugins === undefined || file === undefined) return;
  const failure = checkPluginRequirements(collector.pluginRequirements, options.plugins);
  if (failure !== undefined)
    report.error('HARRIER_PLUGIN_VERSION', failure, ItemContext.root(file));
}

/** Sources and left-hand fields as the field tables define them, memoized. */
class FieldCatalog implements SourceCatalog {
  private readonly fieldChecks = new Map<string, boolean>();

  constructor(private readonly tables: TableLookup) {}

  hasSource(source: string): boolean {
    return this.tables(source) !== undefined;
  }

  /** A field is valid when `field exists` compiles, which also covers transformers. */
  isValidLeftField(source: string, field: string): boolean {
    const key = `${source}\u0000${field}`;
    let valid = this.fieldChecks.get(key);
    if (valid === undefined) {
      valid = this.checkField(source, field);
      this.fieldChecks.set(key, valid);
    }
    return valid;
  }

  private checkField(source: string, field: string): boolean {
    const table = this.tables(source);
    if (table === undefined) return false;
    const parsed = parseCondition(`${field} exists`);
    if (!parsed.ok || parsed.ast.kind !== 'unary_check') return false;
    return compileCondition(parsed.ast, table).ok;
  }
}

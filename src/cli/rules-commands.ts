/**
 * `harrier rules validate | show | parse | test`: the rule author's tools.
 */
import type { Command } from 'commander';
import { loadRuleFilesFromDisk, type LoadResult, type Rule } from '../detect/index.js';
import {
  type Diagnostic,
  diagnosticToJson,
  formatDiagnostic,
  inReadingOrder,
} from '../engine/index.js';
import { rulePathsOrDefault } from './default-rules.js';
import { expandRulePaths, rulesOption } from './rule-paths.js';
import { runRulesParse } from './rules-parse.js';
import { registerRulesTestCommand } from './rules-test-command.js';
import { reportDiagnostics, reportError } from './stderr-report.js';

export function registerRulesCommands(program: Command): void {
  const rules = program
    .command('rules')
    .description('validate, inspect and parse Falco rule files');

  rules
    .command('validate')
    .description('check rule files, each on its own; exit 1 if any has an error')
    .argument('<files...>', 'rule files or directories of them')
    .option('--json', 'one JSON object per file and line')
    .addOption(rulesOption('files loaded before each validated file (repeatable)', 'none'))
    .action(async (files: string[], options: { json?: boolean; rules: string[] }) => {
      process.exitCode = await validate(
        await expandRulePaths(files),
        await expandRulePaths(options.rules),
        options.json === true,
      );
    });

  rules
    .command('show')
    .description('list rules with source, priority, tags and the fully expanded condition')
    .addOption(rulesOption('rule file or directory (repeatable)', 'the rules/ directory'))
    .argument('[names...]', 'only these rules')
    .option('--json', 'one JSON object per rule and line')
    .action(async (names: string[], options: { json?: boolean; rules: string[] }) => {
      const files = await expandRulePaths(rulePathsOrDefault(options.rules));
      process.exitCode = await show(files, names, options.json === true);
    });

  rules
    .command('parse')
    .description(
      'syntax-check conditions (no fields or macros); with no EXPR, one JSON string per stdin line',
    )
    .argument('[expressions...]')
    .option('--json', 'one JSON object per expression and line')
    .action(async (expressions: string[], options: { json?: boolean }) => {
      process.exitCode = await runRulesParse(expressions, options);
    });

  registerRulesTestCommand(rules);
}

async function validate(files: string[], prerequisites: string[], json: boolean): Promise<number> {
  let failed = false;
  for (const file of files) {
    const result = await loadRuleFilesFromDisk([...prerequisites, file]);
    // In the order run, replay and serve report them (see `reportDiagnostics`).
    const own = inReadingOrder(
      result.diagnostics.filter(
        (diagnostic) => diagnostic.file === file || diagnostic.code === 'LOAD_ERR_FILE_READ',
      ),
    );
    const errors = own.filter((diagnostic) => diagnostic.severity === 'error');
    const warnings = own.filter((diagnostic) => diagnostic.severity === 'warning');
    const ok = result.ruleSet !== undefined;
    failed ||= !ok;
    if (json) {
      const entry = (diagnostic: Diagnostic) => {
        const { code, message, item, line, column } = diagnosticToJson(diagnostic);
        return { code, message, item, line, column };
      };
      process.stdout.write(
        `${JSON.stringify({ file, ok, errors: errors.map(entry), warnings: warnings.map(entry) })}\n`,
      );
      continue;
    }
    for (const diagnostic of own) process.stdout.write(`${formatDiagnostic(diagnostic)}\n`);
    const summary = `${errors.length} error(s), ${warnings.length} warning(s)`;
    process.stdout.write(`${file}: ${ok ? 'ok' : 'invalid'} (${summary})\n`);
  }
  return failed ? 1 : 0;
}

/**
 * A hint for a name no rule has: the rule spelt the same but for case, or the rules whose
 * alert text begins with it (users copy the text of an alert, which is not the rule's name).
 */
function nameHint(name: string, rules: readonly Rule[]): string {
  const wanted = name.trim().toLowerCase();
  const sameBut = rules.find((rule) => rule.name.toLowerCase() === wanted);
  if (sameBut !== undefined) return `; did you mean '${sameBut.name}'?`;
  const printing = rules
    .filter((rule) => rule.output.trim().toLowerCase().startsWith(wanted))
    .map((rule) => `'${rule.name}'`);
  if (printing.length === 0) return '';
  return `; alerts with that text come from ${printing.slice(0, 3).join(', ')}`;
}

async function show(files: string[], names: string[], json: boolean): Promise<number> {
  const result: LoadResult = await loadRuleFilesFromDisk(files);
  reportDiagnostics('rules', result.diagnostics, { quiet: true });
  const wanted = new Set(names);
  const enabled = (rule: Rule) => result.ruleSet?.isEnabled(rule.name) ?? rule.enabled;
  const missing = names.filter((name) => !result.rules.some((rule) => rule.name === name));
  for (const name of missing)
    reportError('rules', `no rule named '${name}'${nameHint(name, result.rules)}`, {
      ruleName: name,
    });
  for (const rule of result.rules) {
    if (wanted.size > 0 && !wanted.has(rule.name)) continue;
    const record = {
      name: rule.name,
      source: rule.source,
      priority: rule.priority,
      tags: rule.tags,
      enabled: enabled(rule),
      condition: rule.conditionText,
    };
    process.stdout.write(json ? `${JSON.stringify(record)}\n` : showText(record));
  }
  return result.ruleSet === undefined || missing.length > 0 ? 1 : 0;
}

function showText(rule: {
  name: string;
  source: string;
  priority: string;
  tags: readonly string[];
  enabled: boolean;
  condition: string;
}): string {
  return [
    `${rule.name}`,
    `  source: ${rule.source}  priority: ${rule.priority}  enabled: ${rule.enabled}`,
    `  tags: ${rule.tags.join(', ')}`,
    `  condition: ${rule.condition}`,
    '',
  ].join('\n');
}

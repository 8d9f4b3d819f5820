/**
 * The `harrier` command line. Each sub-command lives in its own file; this one only wires
 * them up, gives usage errors status 2 and turns an unexpected failure into one line on
 * stderr and status 2.
 *
 * Exit status: 0 success; 1 the command ran but an input could not be read (or a rule file
 * has errors); 2 a usage error (unknown option, missing argument, bad option value) or a
 * setup that failed (configuration, store, metrics address, probe).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { setLogFormat } from '../log.js';
import { handleClosedOutputs } from './closed-output.js';
import { reportError } from './stderr-report.js';
import { registerRulesCommands } from './rules-commands.js';
import { registerServeCommand } from './serve.js';
import { registerReplayCommand } from './replay.js';
import { registerAlertsCommand } from './alerts.js';
import { registerRunCommand } from './run.js';
import { registerRecordCommand } from './record.js';
import { registerEventsCommand } from './events.js';

/** Status of a usage error, as Harrier's own option checks give it. */
const USAGE_STATUS = 2;

/**
 * Whether `--json` is among the arguments: known before commander parses them, so that its
 * usage errors are NDJSON too.
 */
function asksForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

handleClosedOutputs();
const json = asksForJson(process.argv.slice(2));
setLogFormat(json ? 'json' : 'text');

/** The version package.json names, two levels above this file in dist/ and src/ alike. */
const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const program = new Command('harrier')
  .description('Runtime threat detection in the Falco rule language')
  .version(version, '-V, --version', 'print the version of Harrier')
  .configureOutput({
    outputError: (text, write) => {
      if (!json) return write(text);
      reportError(undefined, text.trim().replace(/^error: /, ''));
    },
  })
  .exitOverride((error) => {
    // Help and version asked for end with 0; every other commander exit is a usage error.
    process.exit(error.exitCode === 0 ? 0 : USAGE_STATUS);
  });

registerRulesCommands(program);
registerServeCommand(program);
registerReplayCommand(program);
registerAlertsCommand(program);
registerRunCommand(program);
registerRecordCommand(program);
registerEventsCommand(program);
checkMandatoryOptionsLast(program);
// Under --json, stderr holds NDJSON only: the hint is left out.
if (!json) pointToHelp(program);

/**
 * Checks the mandatory options of `command` and its sub-commands after commander's check of
 * unknown options, which it otherwise runs first: `record --bogus` said "required option -w not
 * specified" instead of naming --bogus.
 */
function checkMandatoryOptionsLast(command: Command): void {
  const mandatory = command.options.filter((option) => option.mandatory);
  for (const option of mandatory) option.makeOptionMandatory(false);
  if (mandatory.length > 0)
    command.hook('preAction', (self) => {
      for (const option of mandatory)
        if (self.getOptionValue(option.attributeName()) === undefined)
          self.error(`error: required option '${option.flags}' not specified`, {
            code: 'commander.missingMandatoryOptionValue',
          });
    });
  for (const sub of command.commands) checkMandatoryOptionsLast(sub);
}

/**
 * Makes a usage error of `command` and its sub-commands end with where the usage is, not with
 * the whole help page, which buried the one line saying what was wrong.
 */
function pointToHelp(command: Command, name = command.name()): void {
  command.showHelpAfterError(`(see ${name} --help)`);
  for (const sub of command.commands) pointToHelp(sub, `${name} ${sub.name()}`);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  reportError(undefined, error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});

/**
 * The `harrier` command line. Each sub-command lives in its own file; this one only wires
 * them up and turns an unexpected failure into one line on stderr and exit status 2.
 */
import { Command } from 'commander';
import { setLogFormat } from '../log.js';
import { registerRulesCommands } from './rules-commands.js';
import { registerServeCommand } from './serve.js';
import { registerReplayCommand } from './replay.js';
import { registerAlertsCommand } from './alerts.js';
import { registerRunCommand } from './run.js';
import { registerRecordCommand } from './record.js';
import { registerEventsCommand } from './events.js';

const program = new Command('harrier')
  .description('Runtime threat detection in the Falco rule language')
  .showHelpAfterError()
  // Logs match the output: NDJSON beside Falco's JSON alerts, readable lines otherwise.
  .hook('preAction', (_program, command) =>
    setLogFormat(command.opts<{ json?: boolean }>().json === true ? 'json' : 'text'),
  );

registerRulesCommands(program);
registerServeCommand(program);
registerReplayCommand(program);
registerAlertsCommand(program);
registerRunCommand(program);
registerRecordCommand(program);
registerEventsCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`harrier: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});

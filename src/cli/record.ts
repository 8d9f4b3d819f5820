/**
 * `harrier record`: writes live events to a `.scap` file (`.scap.gz` compresses) that
 * `harrier replay` reads back. The file opens with the `/proc` snapshot as its process and fd
 * lists (the `current` layout), so a replay starts from the state the live session had. The
 * containers' metadata is fetched as `harrier run` fetches it and written as container events
 * (see container-events.ts), so the replay's `container.*` fields read what a run read.
 */
import type { Command } from 'commander';
import { ProbeBinaryMissingError, ProbeFailedError } from '../sources/ebpf/probe-process.js';
import { createLogger } from '../log.js';
import { captureLayout, LEGACY_LAYOUT_HELP, LivePipeline } from './live-pipeline.js';
import { formatRecordSummary } from './live-summary.js';
import { ENV_BYTES_HELP, readDurationSeconds, readEnvBytes } from './option-values.js';
import { formatPreflight, preflightProblems } from './live-preflight.js';
import { DEFAULT_RECORD_EVENTS, syscallSetFor, WATCH_UNIMPLEMENTED_HELP } from './live-syscalls.js';
import { loadCommandRules } from './command-rules.js';
import { captureTargetProblem } from './capture-target.js';
import { handleSignalsWhileStopping } from './stopping-signals.js';
import { reportError } from './stderr-report.js';
import { runtimeContainerHook } from './live-containers.js';
import { rulesOption } from './rule-paths.js';

interface RecordCommandOptions {
  write: string;
  legacyLayout?: boolean;
  duration?: string;
  rules: string[];
  envBytes: string;
  watchUnimplementedSyscalls?: boolean;
}

/** Adds `harrier record` to the program. */
export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description('record live syscall events to a .scap file for harrier replay')
    .requiredOption('-w, --write <file>', 'capture file to write (.scap, or .scap.gz to compress)')
    .option('--duration <seconds>', 'stop after this many seconds (default: at SIGINT/SIGTERM)')
    .addOption(
      rulesOption(
        'capture only the events these rules need (repeatable)',
        'every event the probe handles but read and write',
      ),
    )
    .option('--watch-unimplemented-syscalls', WATCH_UNIMPLEMENTED_HELP)
    .option('--legacy-layout', LEGACY_LAYOUT_HELP)
    .option('--env-bytes <n>', ENV_BYTES_HELP, '0')
    .action(async (options: RecordCommandOptions) => {
      process.exitCode = await runRecord(options);
    });
}

async function runRecord(options: RecordCommandOptions): Promise<number> {
  const optionProblems: string[] = [];
  const duration = readDurationSeconds(options.duration, optionProblems);
  const envBytes = readEnvBytes(options.envBytes, optionProblems);
  const overwrite = captureTargetProblem(options.write, options.rules);
  if (overwrite !== undefined) optionProblems.push(overwrite);
  for (const problem of optionProblems) reportError('record', problem);
  if (optionProblems.length > 0) return 2;
  const problems = preflightProblems();
  if (problems.length > 0) {
    process.stderr.write(formatPreflight('record', problems));
    return 2;
  }
  const logger = createLogger('cli.record');
  const ruleSet =
    options.rules.length > 0
      ? await loadCommandRules(
          'record',
          options.rules,
          {},
          {
            failedOutcome: 'nothing recorded',
            logger,
          },
        )
      : undefined;
  if (options.rules.length > 0 && ruleSet === undefined) return 1;
  // A recording names its containers (see container-events.ts), so that its replay shows the
  // container.* fields a run would have.
  const containers = runtimeContainerHook(logger);
  let live: LivePipeline;
  try {
    live = await LivePipeline.start({
      logger,
      containers,
      eventNames: ruleSet === undefined ? DEFAULT_RECORD_EVENTS : syscallSetFor(ruleSet).names,
      record: { path: options.write, layout: captureLayout(options) },
      snapshot: { envBytes },
      probe: { watchUnimplemented: options.watchUnimplementedSyscalls === true },
    });
  } catch (error) {
    containers?.close();
    if (!(error instanceof ProbeFailedError || error instanceof ProbeBinaryMissingError))
      throw error;
    process.stderr.write(`harrier record: ${error.message}\n`);
    return 2;
  }
  const failure = await new Promise<Error | undefined>((resolve) => {
    process.once('SIGINT', () => resolve(undefined));
    process.once('SIGTERM', () => resolve(undefined));
    if (duration !== undefined) setTimeout(() => resolve(undefined), duration * 1000).unref();
    live.done.then(
      () => resolve(new Error('the probe stopped unexpectedly')),
      (error: Error) => resolve(error),
    );
  });
  handleSignalsWhileStopping('record', 'the capture and the counters');
  if (failure !== undefined)
    logger.error(
      { err: failure },
      'recording failed; the file holds the events before the failure',
    );
  const counters = await live.stop();
  containers?.close();
  process.stderr.write(formatRecordSummary(counters, options.write));
  return failure === undefined ? 0 : 1;
}

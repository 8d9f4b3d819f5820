/**
 * The program output: alerts piped, one line each, into a shell command's stdin, like Falco's
 * program_output. Without `keepAlive` the command runs once per batch and a batch counts as
 * accepted when the command exits with status 0; with it, one long-lived command reads every
 * alert and a batch counts as accepted once written to its pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { formatAlertJson } from '../format.js';
import {
  DeliveryError,
  type Delivery,
  type Destination,
  type DestinationContext,
} from './types.js';

export interface ProgramOptions {
  /** Run by `/bin/sh -c`. */
  readonly command: string;
  /** `json` (default) or `text`. */
  readonly format?: 'json' | 'text';
  readonly keepAlive?: boolean;
}

/**
 * Pipes alerts into `options.command`.
 *
 * @example
 * createProgramDestination({ command: 'jq -c . >> /tmp/alerts' }, context)
 */
export function createProgramDestination(
  options: ProgramOptions,
  context: DestinationContext,
): Destination {
  const lines = (deliveries: readonly Delivery[]): string =>
    deliveries
      .map(({ alert }) =>
        options.format === 'text' ? context.template.render(alert) : formatAlertJson(alert),
      )
      .map((line) => `${line}\n`)
      .join('');
  return options.keepAlive ? longLived(options.command, lines) : perBatch(options.command, lines);
}

function perBatch(
  command: string,
  lines: (deliveries: readonly Delivery[]) => string,
): Destination {
  return {
    batchSize: 100,
    send: (deliveries, signal) =>
      new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], {
          stdio: ['pipe', 'ignore', 'inherit'],
          signal,
        });
        child.on('error', (error) =>
          reject(new DeliveryError('program did not run', true, [], { cause: error })),
        );
        child.on('close', (code, signalName) =>
          code === 0
            ? resolve()
            : reject(new DeliveryError(`program exited with ${code ?? signalName}`, true)),
        );
        child.stdin.on('error', () => {}); // the exit status reports the failure
        child.stdin.end(lines(deliveries));
      }),
    close: async () => {},
  };
}

function longLived(
  command: string,
  lines: (deliveries: readonly Delivery[]) => string,
): Destination {
  let child: ChildProcess | undefined;
  const start = (): ChildProcess => {
    const next = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'ignore', 'inherit'] });
    next.on('exit', () => (child === next ? (child = undefined) : undefined));
    next.on('error', () => (child === next ? (child = undefined) : undefined));
    next.stdin?.on('error', () => {}); // a broken pipe shows as a failed write below
    return next;
  };
  return {
    batchSize: 100,
    send: (deliveries) =>
      new Promise((resolve, reject) => {
        child ??= start();
        child.stdin?.write(lines(deliveries), (error) =>
          error
            ? reject(new DeliveryError('program stdin closed', true, [], { cause: error }))
            : resolve(),
        );
      }),
    close: async () => {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.stdin?.end();
      });
    },
  };
}

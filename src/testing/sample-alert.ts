/**
 * Alerts for tests and benchmarks: a Falco-shaped syscall alert with typed output fields.
 * @internal
 */
import type { Alert } from '../alerts/alert.js';
import type { Priority } from '../detect/index.js';

export interface SampleAlertOptions {
  rule?: string;
  priority?: Priority;
  source?: string;
  /** Distinguishes alerts; lands in `proc.pid` and in the output line. */
  sequence?: number;
  tags?: readonly string[];
  containerId?: string;
  /** Nanoseconds since the epoch; default 2024-05-01T12:00:00Z plus `sequence` microseconds. */
  time?: bigint;
}

/** A sample alert; equal options give equal alerts. */
export function sampleAlert(options: SampleAlertOptions = {}): Alert {
  const sequence = options.sequence ?? 0;
  const rule = options.rule ?? 'Terminal shell in container';
  const priority = options.priority ?? 'Notice';
  const time = options.time ?? 1_714_564_800_000_000_000n + BigInt(sequence) * 1000n;
  const container = options.containerId ?? 'f00dcafe1234';
  return {
    time,
    rule,
    priority,
    source: options.source ?? 'syscall',
    hostname: 'test-host',
    output: `12:00:00.000000000: ${priority} A shell was spawned (proc.name=bash proc.pid=${sequence} container.id=${container})`,
    outputFields: new Map<string, string | bigint | null>([
      ['evt.time', time],
      ['proc.name', 'bash'],
      ['proc.pid', BigInt(sequence)],
      ['container.id', container],
      ['container.name', 'web-1'],
      ['user.name', null],
    ]),
    tags: options.tags ?? ['container', 'shell', 'mitre_execution'],
  };
}

/**
 * Whether a thread still runs, and since when, from `/proc/TID/stat`: what the live pipeline
 * asks of threads whose exit it may have missed. `/proc/TID` answers for every thread, listed
 * in `/proc` or not (only main threads are).
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `stat` times; 100 on every Linux architecture Harrier runs on. */
const CLOCK_TICKS = 100n;

/**
 * What `/proc` says of a thread: `gone` (no such entry), `running` since `startTs` (ns since
 * the epoch; 0 when the kernel gave none), or `unknown` (the entry could not be read for another
 * reason, such as no descriptor left: nothing can be concluded).
 */
type ThreadStart =
  { state: 'gone' } | { state: 'running'; startTs: bigint } | { state: 'unknown'; code: string };

/** `stat` fields after the command name: index 0 is the state, 1 ppid, 2 pgrp and so on. */
export function statFields(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/**
 * A thread's start time (`stat` field 22, in clock ticks since boot) as ns since the epoch,
 * given the boot time in ns since the epoch; 0 when the field is missing or 0.
 */
export function startTsOf(stat: readonly string[], bootTimeNs: bigint): bigint {
  const text = stat[19] ?? '';
  const ticks = /^\d+$/.test(text) ? BigInt(text) : 0n;
  return ticks === 0n ? 0n : bootTimeNs + (ticks * 1_000_000_000n) / CLOCK_TICKS;
}

/** Thread `tid` as `procRoot` (normally `/proc`) shows it; `bootTimeNs` as for `startTsOf`. */
export function readThreadStart(procRoot: string, tid: number, bootTimeNs: bigint): ThreadStart {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${tid}/stat`, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    // ESRCH: the thread died between the open and the read.
    return code === 'ENOENT' || code === 'ESRCH' ? { state: 'gone' } : { state: 'unknown', code };
  }
  return { state: 'running', startTs: startTsOf(statFields(text), bootTimeNs) };
}

/**
 * Capture replay throughput, Harrier against sysdig 0.29, on the same large capture with the
 * same conditions, measured in the same run.
 *
 * 1. A large capture is built in a temporary folder by repeating the corpus traces
 *    (`make-capture.ts`), in the process-list layout sysdig 0.29 reads exactly.
 * 2. The conditions are those of the stable rules (`falco_rules.yaml`, syscall source, enabled)
 *    that sysdig 0.29's filter language accepts: each expanded condition is tried with
 *    `sysdig -r small.scap COND`, and the ones it rejects are dropped and listed.
 * 3. sysdig runs the accepted conditions joined with `or` (`-q`, output to /dev/null); Harrier
 *    reads the capture with state applied (`syscallEvents`) and runs the same rules through
 *    the ruleset, indexed by event type as replay does. Each side runs twice, alternating; the
 *    faster run counts.
 * 4. The stable rules match nothing in these traces, so agreement is also checked on a few
 *    conditions that do match, over fields the stable rules read: each is counted by both.
 *
 * Options: `--events N` (default 2,000,000), `--keep` to leave the capture in place.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SyscallEvent } from '../decode/event.js';
import { eventTypeName } from '../decode/param-format.js';
import { syscallEvents } from '../decode/pipeline.js';
import { loadRuleFiles, loadRuleFilesFromDisk, RuleSet, type Rule } from '../detect/index.js';
import { corpusPath } from '../testing/corpus.js';
import { makeCapture } from './make-capture.js';

/** Corpus traces sysdig 0.29 reads, with ordinary timestamps (a few others have neither). */
const SOURCES = [
  corpusPath('falco/scap/curl_google.scap'),
  corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap'),
  corpusPath('falco/tests-0.34.1/trace_files/connect_localhost.scap'),
  corpusPath('falco/tests-0.34.1/trace_files/ping_sendto.scap'),
  corpusPath('falco/tests-0.34.1/trace_files/syscall.scap'),
  corpusPath('falco/scap/single_ipv6_conn.scap'),
  corpusPath('falco/scap/test_ipv6_client.scap'),
];
const RULES_FILE = corpusPath('falco/rules/falco_rules.yaml');

interface SysdigRun {
  status: number | null;
  seconds: number;
  stdout: string;
  stderr: string;
}

function runSysdig(args: string[], keepOutput = false): SysdigRun {
  const start = process.hrtime.bigint();
  const result = spawnSync('sysdig', args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', keepOutput ? 'pipe' : 'ignore', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { status: result.status, seconds, stdout: result.stdout ?? '', stderr: result.stderr };
}

/** The rules whose conditions sysdig accepts, and why the others were dropped. */
function splitBySysdig(rules: Rule[], probe: string): { accepted: Rule[]; rejected: string[] } {
  const accepted: Rule[] = [];
  const rejected: string[] = [];
  for (const rule of rules) {
    const run = runSysdig(['-r', probe, '-q', rule.conditionText]);
    if (run.status === 0) accepted.push(rule);
    else rejected.push(`${rule.name}: ${firstLine(run.stderr)}`);
  }
  return { accepted, rejected };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 140) ?? '';
}

interface HarrierRun {
  events: number;
  matched: number;
  seconds: number;
}

async function runHarrier(file: string, ruleSet: RuleSet<SyscallEvent>): Promise<HarrierRun> {
  const start = process.hrtime.bigint();
  let events = 0;
  let matched = 0;
  for await (const event of syscallEvents(file)) {
    events++;
    if (ruleSet.match('syscall', eventTypeName(event), event).length > 0) matched++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { events, matched, seconds };
}

/** Events sysdig's filter lets through, counted from `-p %evt.num` lines. */
function sysdigMatches(file: string, condition: string): number {
  const run = runSysdig(['-r', file, '-p', '%evt.num', condition], true);
  if (run.status !== 0) throw new Error(`sysdig failed: ${firstLine(run.stderr)}`);
  return run.stdout.split('\n').filter((line) => line !== '').length;
}

/** Conditions that match events of the source traces, over fields the stable rules use. */
const AGREEMENT_CONDITIONS = [
  'evt.type in (open, openat) and evt.dir=< and fd.typechar=f and fd.name startswith /etc',
  'evt.type=execve and evt.dir=< and proc.pname=bash and user.uid>=0 and proc.cmdline contains null',
  'evt.type in (connect, sendto) and evt.dir=< and fd.l4proto in (tcp, udp, icmp)',
  'evt.type in (write, read) and evt.dir=< and fd.directory in (/dev, /etc, /tmp)',
  'proc.name in (cat, curl, ping) and evt.type=close and evt.dir=>',
];

/** One line per condition: the events Harrier and sysdig each let through. */
async function agreementCheck(file: string): Promise<string[]> {
  const content = AGREEMENT_CONDITIONS.map(
    (condition, index) =>
      `- rule: agreement ${index + 1}\n  desc: bench\n  condition: ${condition}\n` +
      `  output: x\n  priority: NOTICE\n`,
  ).join('');
  const { ruleSet } = loadRuleFiles([{ name: 'agreement.yaml', content }]);
  if (ruleSet === undefined) throw new Error('the agreement conditions did not compile');
  const lines: string[] = [];
  for (const [index, rule] of ruleSet.enabledRules('syscall').entries()) {
    const single = new RuleSet([rule]) as unknown as RuleSet<SyscallEvent>;
    const harrier = await runHarrier(file, single);
    const sysdig = sysdigMatches(file, rule.conditionText);
    const verdict = harrier.matched === sysdig ? 'agree' : 'DIFFER';
    lines.push(
      `  condition ${index + 1}: Harrier ${harrier.matched}, sysdig ${sysdig} (${verdict}): ` +
        AGREEMENT_CONDITIONS[index],
    );
  }
  return lines;
}

const rate = (events: number, seconds: number): string =>
  `${Math.round(events / seconds).toLocaleString('en-US')} events/s`;

async function loadStableRules(): Promise<Rule[]> {
  const { ruleSet, diagnostics } = await loadRuleFilesFromDisk([RULES_FILE]);
  if (ruleSet === undefined) {
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    throw new Error(`${RULES_FILE} did not load: ${errors[0]?.message}`);
  }
  return ruleSet.enabledRules('syscall');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '2000000' }, keep: { type: 'boolean' } },
  });
  const version = spawnSync('sysdig', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    console.log('skipped: sysdig is not installed (apt-get install sysdig); nothing to compare');
    return;
  }
  const events = Number(values.events);
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-bench-replay-'));
  try {
    await compare(directory, events, version.stdout.trim());
  } finally {
    if (values.keep) console.log(`capture kept in ${directory}`);
    else rmSync(directory, { recursive: true, force: true });
  }
}

async function compare(directory: string, events: number, sysdigVersion: string): Promise<void> {
  const small = path.join(directory, 'small.scap');
  const large = path.join(directory, 'large.scap');
  const round = await makeCapture({ sources: SOURCES, events: 8000, out: small });
  const rules = await loadStableRules();
  const { accepted, rejected } = splitBySysdig(rules, small);
  const condition = accepted.map((rule) => `(${rule.conditionText})`).join(' or ');
  console.log(
    `${sysdigVersion}; rules: ${accepted.length} of ${rules.length} stable syscall rules`,
  );
  for (const reason of rejected) console.log(`  dropped (sysdig rejects): ${reason}`);

  const ruleSet = new RuleSet(accepted) as unknown as RuleSet<SyscallEvent>;
  const check = await runHarrier(small, ruleSet);
  const sysdigCheck = sysdigMatches(small, condition);
  console.log(
    `match check on ${round.events} events: Harrier ${check.matched}, sysdig ${sysdigCheck}`,
  );

  for (const line of await agreementCheck(small)) console.log(line);

  const buildStart = process.hrtime.bigint();
  const built = await makeCapture({ sources: SOURCES, events, out: large });
  const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
  const megabytes = statSync(large).size / 1e6;
  console.log(
    `capture: ${built.events.toLocaleString('en-US')} events, ${built.threads} threads, ` +
      `${megabytes.toFixed(0)} MB, built in ${buildSeconds.toFixed(1)} s`,
  );

  let sysdigBest = Infinity;
  let harrierBest: HarrierRun | undefined;
  for (let run = 0; run < 2; run++) {
    const sysdig = runSysdig(['-r', large, '-q', condition]);
    if (sysdig.status !== 0) throw new Error(`sysdig failed: ${firstLine(sysdig.stderr)}`);
    sysdigBest = Math.min(sysdigBest, sysdig.seconds);
    const harrier = await runHarrier(large, ruleSet);
    if (harrierBest === undefined || harrier.seconds < harrierBest.seconds) harrierBest = harrier;
  }
  const harrier = harrierBest as HarrierRun;
  const sysdigRate = built.events / sysdigBest;
  const harrierRate = harrier.events / harrier.seconds;
  console.log(`sysdig -r -q (joined condition): ${rate(built.events, sysdigBest)}`);
  console.log(
    `harrier (decode + state + rules):  ${rate(harrier.events, harrier.seconds)}` +
      ` (${harrier.matched} events matched)`,
  );
  console.log(`ratio harrier / sysdig:           ${(harrierRate / sysdigRate).toFixed(2)}x`);
}

await main();

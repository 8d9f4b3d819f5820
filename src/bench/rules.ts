/**
 * Rule engine benchmark: how long loading and compiling the official rule files takes, set
 * against parsing the same YAML alone (the floor any loader pays), and how fast the compiled
 * stable ruleset judges events, set against decoding the same events without rules.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import {
  loadRuleFiles,
  loadRuleFilesFromDisk,
  type RuleFile,
  type RuleSet,
} from '../detect/index.js';
import { syscallEvents } from '../decode/pipeline.js';
import { eventTypeName } from '../decode/param-format.js';
import type { SyscallEvent } from '../decode/event.js';
import { corpusPath } from '../testing/corpus.js';

const directory = corpusPath('falco/rules');
const files: RuleFile[] = readdirSync(directory)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, content: readFileSync(`${directory}/${name}`, 'utf8') }));

/** Median of `runs` timings of `work`, in milliseconds. */
function medianMilliseconds(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const runs = 7;
const yamlOnly = medianMilliseconds(runs, () => {
  for (const file of files) parseAllDocuments(file.content, { keepSourceTokens: true });
});
let rules = 0;
const loadEach = medianMilliseconds(runs, () => {
  rules = 0;
  for (const file of files) rules += loadRuleFiles([file]).rules.length;
});

console.log(`rule files: ${files.length}, rules compiled: ${rules}`);
console.log(`load + compile all official files: ${loadEach.toFixed(1)} ms (median of ${runs})`);
console.log(`YAML parse alone (reference):      ${yamlOnly.toFixed(1)} ms`);
console.log(`ratio load+compile / YAML parse:   ${(loadEach / yamlOnly).toFixed(2)}x`);

// Evaluation: the stable ruleset over events made from the corpus captures (repeated with
// shifted times and thread ids by make-capture). Decoding and state cost the same with or
// without rules, so the rules' own cost is the difference of two passes over the same file.
const captureFile = path.join(
  mkdtempSync(path.join(tmpdir(), 'harrier-bench-rules-')),
  'events.scap',
);
const sources = [
  'falco/scap/curl_google.scap',
  'falco/tests-0.34.1/trace_files/open-multiple-files.scap',
];
const made = spawnSync(
  process.execPath,
  [path.join(path.dirname(fileURLToPath(import.meta.url)), 'make-capture.js'), ...sources.flatMap((source) => ['--from', corpusPath(source)]), '--events', '400000', '--out', captureFile],
  { stdio: ['ignore', 'ignore', 'inherit'] },
); // prettier-ignore
if (made.status !== 0) throw new Error(`make-capture failed with status ${made.status}`);

const stable = await loadRuleFilesFromDisk([corpusPath('falco/rules/falco_rules.yaml')]);
if (stable.ruleSet === undefined) throw new Error('the stable rules did not load');
const ruleSet = stable.ruleSet as RuleSet<SyscallEvent>;

async function passSeconds(
  withRules: boolean,
): Promise<{ seconds: number; events: number; matches: number }> {
  let events = 0;
  let matches = 0;
  const start = process.hrtime.bigint();
  for await (const event of syscallEvents(captureFile)) {
    events++;
    if (withRules) matches += ruleSet.match('syscall', eventTypeName(event), event).length;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, events, matches };
}

await passSeconds(true); // warm-up: JIT and caches
const plain = await passSeconds(false);
const judged = await passSeconds(true);
const ruleSeconds = Math.max(judged.seconds - plain.seconds, 1e-9);
console.log(
  `stable ruleset: ${ruleSet.enabledCount} rules over ${judged.events} events (${judged.matches} matches)`,
);
console.log(
  `decode + state alone (reference): ${Math.round(plain.events / plain.seconds)} events/s`,
);
console.log(
  `decode + state + rules:           ${Math.round(judged.events / judged.seconds)} events/s`,
);
console.log(
  `rule evaluation alone:            ${Math.round(judged.events / ruleSeconds)} events/s`,
);
console.log(`ratio with rules / without:       ${(plain.seconds / judged.seconds).toFixed(2)}x`);
rmSync(path.dirname(captureFile), { recursive: true, force: true });

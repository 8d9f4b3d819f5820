/**
 * Rule engine benchmark: how long loading and compiling the official rule files takes, set
 * against parsing the same YAML alone (the floor any loader pays), measured in this run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { loadRuleFiles, type RuleFile } from '../detect/index.js';
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

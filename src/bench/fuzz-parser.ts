/**
 * Long-running fuzzer and timing for the condition parser. It mutates libs' parser cases and
 * the conditions of the Falco rule files many thousand times, checks that the parser never
 * throws and that every error position lies inside the text, and reports how long the
 * slowest input took. Exits with status 1 on the first broken invariant.
 *
 * Usage: `node dist/bench/fuzz-parser.js [iterations] [seed]` (defaults: 20000, 1).
 */
import { readFileSync, readdirSync } from 'node:fs';
import YAML from 'yaml';
import { parseCondition, printCondition } from '../engine/index.js';
import { corpusPath } from '../testing/corpus.js';

const fragments = [
  '(',
  ')',
  '"',
  "'",
  '\\',
  ',',
  '=',
  '[',
  ']',
  ' ',
  '\n',
  '\r',
  '\t',
  '\b',
  '\0',
  'not ',
  'not(',
  'and',
  'or',
  ' and ',
  ' or ',
  'oneof ',
  'allof ',
  'in ',
  'exists',
  'val(',
  'tolower(',
  'getopt(',
  'join("-", (',
  '0x',
  '1e+',
  '\\x4',
  '\\q',
  '\\"',
  'é',
  '😀',
  'a.b',
  'macro',
  '('.repeat(150),
  'not '.repeat(500),
];

/** A small deterministic generator (mulberry32), so a failing run can be replayed. */
function randomSource(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * limit);
  };
}

function loadSeeds(): string[] {
  const table = readFileSync(corpusPath('falco/libs-cases/filter_parser_cases.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { args: { str?: string }[] }).args[0].str)
    .filter((text): text is string => text !== undefined);
  const folder = corpusPath('falco/rules');
  const rules = readdirSync(folder).flatMap((name) => {
    const items: unknown = YAML.parse(readFileSync(`${folder}/${name}`, 'utf8'));
    return (Array.isArray(items) ? items : [])
      .map((item: { condition?: unknown } | null) => item?.condition)
      .filter((condition): condition is string => typeof condition === 'string');
  });
  return [...table, ...rules];
}

function mutate(text: string, random: (limit: number) => number): string {
  const at = random(text.length + 1);
  switch (random(4)) {
    case 0:
      return text.slice(0, at) + fragments[random(fragments.length)] + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + random(8));
    case 2:
      return text.slice(0, at + 1 + random(40)) + text.slice(at);
    default:
      return text.slice(0, at) + String.fromCharCode(random(128)) + text.slice(at + 1);
  }
}

/** Parses `text`; `problem` describes the broken invariant, if any. */
function checkInput(text: string): { accepted: boolean; problem?: string } {
  let result;
  try {
    result = parseCondition(text);
    if (result.ok) printCondition(result.ast);
  } catch (error) {
    return { accepted: false, problem: `threw ${String(error)}` };
  }
  if (result.ok) return { accepted: true };
  const { index, line, column } = result.error.position;
  if (index < 0 || index > text.length || line < 1 || column < 1) {
    return { accepted: false, problem: `error position ${index}:${line}:${column} outside text` };
  }
  return { accepted: false };
}

function timeRuleConditions(seeds: string[]): void {
  const started = performance.now();
  const rounds = 20;
  for (let round = 0; round < rounds; round++) seeds.forEach((text) => parseCondition(text));
  const perCondition = ((performance.now() - started) * 1000) / (rounds * seeds.length);
  console.log(`parse time: ${perCondition.toFixed(1)} µs per corpus condition`);
}

function main(): void {
  const iterations = Number(process.argv[2] ?? 20000);
  const seed = Number(process.argv[3] ?? 1);
  const random = randomSource(seed);
  const seeds = loadSeeds();
  timeRuleConditions(seeds);

  let accepted = 0;
  let slowest = { ms: 0, length: 0 };
  for (let i = 0; i < iterations; i++) {
    let text = seeds[random(seeds.length)];
    for (let n = 1 + random(4); n > 0; n--) text = mutate(text, random);
    const started = performance.now();
    const { accepted: ok, problem } = checkInput(text);
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { ms, length: text.length };
    if (problem) {
      console.error(`iteration ${i} (seed ${seed}): ${problem}\ninput: ${JSON.stringify(text)}`);
      process.exit(1);
    }
    if (ok) accepted++;
  }
  console.log(
    `fuzzed ${iterations} inputs: ${accepted} accepted, ${iterations - accepted} rejected, ` +
      `none threw; slowest ${slowest.ms.toFixed(2)} ms on ${slowest.length} characters`,
  );
}

main();

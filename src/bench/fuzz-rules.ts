/**
 * Long-running fuzzer for the rule loader: mutates the official rule files many thousand
 * times and checks that loading yields only diagnostics (known codes, positions inside the
 * file), never an exception, and reports the slowest load. Exits with status 1 on the first
 * broken invariant, printing the input.
 *
 * Usage: `node dist/bench/fuzz-rules.js [iterations] [seed]` (defaults: 5000, 1).
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { checkLoadIsClean, mutatedRuleText } from '../detect/rules/mutate-rules.js';
import { corpusPath } from '../testing/corpus.js';

const iterations = Number(process.argv[2] ?? 5000);
const seed = Number(process.argv[3] ?? 1);
const directory = corpusPath('falco/rules');
const sources = readdirSync(directory)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => readFileSync(`${directory}/${name}`, 'utf8'));

let slowest = 0;
let slowestInput = '';
const started = performance.now();
try {
  fc.assert(
    fc.property(mutatedRuleText(sources), (text) => {
      const before = performance.now();
      checkLoadIsClean(text);
      const elapsed = performance.now() - before;
      if (elapsed > slowest) {
        slowest = elapsed;
        slowestInput = text;
      }
    }),
    { numRuns: iterations, seed },
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const total = (performance.now() - started) / 1000;
console.log(
  `rule loader fuzz: ${iterations} inputs, seed ${seed}, ${total.toFixed(1)} s, slowest ${slowest.toFixed(1)} ms (${slowestInput.length} chars)`,
);

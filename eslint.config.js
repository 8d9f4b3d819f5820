// Lint: typescript-eslint's recommended rules, plus the one-way import rule of STYLE.md:
// a pipeline stage imports only from the stages to its left. Right of the engine, code imports
// the engine only through its public entry, engine/index.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const stages = ['sources', 'decode', 'engine', 'detect', 'alerts', 'store', 'api', 'ui', 'cli'];

const engineEntryOnly = {
  group: ['**/engine/**', '!**/engine/index.js'],
  message: 'import the engine through engine/index.js, its public entry',
};

/** The import patterns forbidden in a stage: the stages to its right, and engine internals. */
function forbiddenImports(index) {
  const laterStages = stages.slice(index + 1).map((later) => ({
    group: [`**/${later}/**`, `../${later}/*`, `../../${later}/*`],
    message: `${stages[index]} is left of ${later} in the pipeline and must not import it`,
  }));
  return index > stages.indexOf('engine') ? [...laterStages, engineEntryOnly] : laterStages;
}

const stageRules = stages.map((stage, index) => ({
  files: [`src/${stage}/**/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns: forbiddenImports(index) }] },
}));

/** Code outside every stage (config, bench, testing, ...) also reaches the engine by its entry. */
const outsideStages = {
  files: ['src/**/*.ts'],
  ignores: stages.map((stage) => `src/${stage}/**`),
  rules: { 'no-restricted-imports': ['error', { patterns: [engineEntryOnly] }] },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'probe/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...stageRules.filter((config) => config.rules['no-restricted-imports'][1].patterns.length > 0),
  outsideStages,
);

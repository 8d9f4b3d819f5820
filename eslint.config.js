// Lint: typescript-eslint's recommended rules, plus the one-way import rule of STYLE.md:
// a pipeline stage imports only from the stages to its left.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const stages = ['sources', 'decode', 'engine', 'detect', 'alerts', 'store', 'api', 'ui', 'cli'];

/** For each stage, forbid imports of the stages to its right. */
const stageRules = stages.map((stage, index) => ({
  files: [`src/${stage}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: stages.slice(index + 1).map((later) => ({
          group: [`**/${later}/**`, `../${later}/*`, `../../${later}/*`],
          message: `${stage} is left of ${later} in the pipeline and must not import it`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'probe/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...stageRules.filter((config) => config.rules['no-restricted-imports'][1].patterns.length > 0),
);

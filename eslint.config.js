// ESLint (`npm run lint`, part of `npm test`): typescript-eslint with type-aware rules over src/,
// scripts/, bench/ and test/. The type information comes from tsconfig.json through the project
// service: the same program `npm run typecheck` checks. typescript-eslint needs TypeScript's JS
// API, which TypeScript 7 does not ship, so the `typescript` package is 6.0.x (the linter's) and
// the typecheck runs TypeScript 7 from the `typescript7` alias (docs/testing.md).
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'training/', 'models/', 'test-output/', 'demo-output/', '.tmp/', 'shared/']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return a promise that the runner itself tracks; the
          // documented way is to leave it unawaited at the top level.
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],

      // Not (yet) on: the `any` family. Its errors come from values that are `any` by nature here:
      // the page globals that Playwright's page.evaluate callbacks reach ((window as any).harness,
      // .siteCall, .demoCall), tfjs handed over untyped in src/inference, JSON read from files and
      // the Firefox remote protocol. Typing those (a declared Window.harness from the harness's
      // own type, tfjs's types) is a change of its own; until then these rules would be noise.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Off: `async` on a method that implements a promise-returning interface (the message
      // handlers, the test fakes) is deliberate even without an `await`: a throw inside becomes a
      // rejection, as the callers expect. Dropping `async` there would change that.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript (the fixture pages' scripts, this file): the syntax-only rules, no type information.
    files: ['**/*.js'],
    extends: [tseslint.configs.recommended],
  },
);

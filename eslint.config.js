// Type-aware lint: the rules that catch real trading bugs (floating promises, silent any).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  {
    ignores: [
      'scratch/**',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test-output/**',
      'reports/**',
      'bin/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Engine time comes from the Clock (deterministic replays).',
        },
        {
          object: 'Math',
          property: 'random',
          message: 'Use a seeded RNG so a backtest replays byte for byte.',
        },
      ],
    },
  },
  {
    // Entry points, CLI, tests and benchmarks may read the wall clock; the engine may not.
    files: ['src/cli/**', 'src/kernel/LiveClock.ts', 'src/app/**', 'test/**', 'bench/**', 'src/index.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Plain JavaScript run by node itself (config files, and the test's import-recording hooks).
    files: ['eslint.config.js', '.dependency-cruiser.cjs', 'ecosystem.config.cjs', 'test/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);

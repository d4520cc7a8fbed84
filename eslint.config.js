// Type-aware lint: the rules that catch real trading bugs (floating promises, silent any).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const ENGINE_RESTRICTED_PROPERTIES = [
  { object: 'Date', property: 'now', message: 'Engine time comes from the Clock (deterministic replays).' },
  { object: 'Math', property: 'random', message: 'Use a seeded RNG so a backtest replays byte for byte.' },
];

const NO_IO = 'A strategy reads the market, its state and its parameters through its context only.';
const NO_TIMERS = 'Timers of a strategy are ctx.setTimer / ctx.setAlarm, on the engine clock.';
const STRATEGY_RESTRICTED_GLOBALS = [
  { name: 'process', message: `${NO_IO} (no environment, no process)` },
  ...['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource', 'require'].map((name) => ({
    name,
    message: NO_IO,
  })),
  ...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({ name, message: NO_TIMERS })),
  { name: 'performance', message: 'Engine time comes from the Clock (deterministic replays).' },
  {
    name: 'crypto',
    message: 'Random values and UUIDs differ on every run: use a seeded choice, or ids from the state.',
  },
];

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
      'no-restricted-properties': ['error', ...ENGINE_RESTRICTED_PROPERTIES],
    },
  },
  {
    // A strategy runs unchanged in backtest, shadow and live: what it reads must come through
    // its context, or a replay would differ from the run it replays. Packages and Node
    // built-ins are the layer check's (.dependency-cruiser.cjs).
    files: ['src/strategies/**', 'src/strategy/**'],
    rules: {
      'no-restricted-globals': ['error', ...STRATEGY_RESTRICTED_GLOBALS],
      // Code in a string would get past every rule here.
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-syntax': [
        'error',
        // `Date(…)` called without `new` is the time now as text, whatever its arguments.
        ...[
          "NewExpression[callee.name='Date'][arguments.length=0]",
          "CallExpression[callee.name='Date']",
        ].map((selector) => ({
          selector,
          message: 'Engine time comes from the Clock (deterministic replays): ctx.clock.now().',
        })),
      ],
      'no-restricted-properties': [
        'error',
        ...ENGINE_RESTRICTED_PROPERTIES,
        ...STRATEGY_RESTRICTED_GLOBALS.map(({ name, message }) => ({
          object: 'globalThis',
          property: name,
          message,
        })),
        // `globalThis.Date.now()` would slip past the rule on `Date.now`; `Date` itself is at hand.
        {
          object: 'globalThis',
          property: 'Date',
          message: 'Use Date directly; its time is ctx.clock.now().',
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

// The layer map of ../shared/ARCHITECTURE.md, enforced: a lower layer never imports a higher one.
const layers = [
  ['core'],
  ['model'],
  ['kernel'],
  ['data', 'execution', 'risk', 'portfolio', 'strategy'],
  ['node', 'sim', 'backtest', 'exchanges', 'storage', 'strategies'],
  ['api', 'monitor', 'notify', 'config', 'security', 'research'],
  // Composition roots: the only place a mode is chosen and parts are wired.
  ['app', 'marketdata'],
  ['cli'],
];
const rank = {};
layers.forEach((names, i) => names.forEach((n) => (rank[n] = i)));
const forbidden = [];
for (const [from, r] of Object.entries(rank)) {
  const higher = Object.entries(rank)
    .filter(([, r2]) => r2 > r)
    .map(([n]) => n);
  if (higher.length > 0) {
    forbidden.push({
      name: `layer-${from}`,
      severity: 'error',
      comment: `${from} may not import a higher layer (${higher.join(', ')})`,
      from: { path: `^src/${from}/` },
      to: { path: `^src/(${higher.join('|')})/` },
    });
  }
}
forbidden.push(
  {
    name: 'strategies-only-strategy-api',
    severity: 'error',
    comment: 'A strategy sees only strategy/, model/ and core/ (and zod for its params)',
    from: { path: '^src/strategies/' },
    to: { path: '^src/(?!strategy/|model/|core/|strategies/)[^/]+/' },
  },
  {
    name: 'strategies-no-io',
    severity: 'error',
    comment:
      'Strategies never read files, the network, the environment or the wall clock: no Node built-in module',
    from: { path: '^src/(strategies|strategy)/' },
    to: { dependencyTypes: ['core'] },
  },
  {
    name: 'strategies-known-packages',
    severity: 'error',
    comment: 'The packages a strategy may use: zod (its parameters) and trading-signals (indicators)',
    from: { path: '^src/(strategies|strategy)/' },
    to: {
      dependencyTypes: [
        'npm',
        'npm-dev',
        'npm-optional',
        'npm-peer',
        'npm-bundled',
        'npm-no-pkg',
        'npm-unknown',
      ],
      pathNot: '(^|/)node_modules/(zod|trading-signals)/',
    },
  },
  {
    name: 'no-circular',
    severity: 'error',
    from: {},
    to: { circular: true },
  },
);
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

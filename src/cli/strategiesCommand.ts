import type { Command } from 'commander';
import { BUILT_IN_STRATEGIES } from '../strategies/registry.js';
import { describeParams } from '../strategy/describeParams.js';

/** `qts strategies [--json]`: every built-in strategy with its parameters, defaults and ranges. */
export function registerStrategiesCommand(program: Command): void {
  program
    .command('strategies')
    .description('list built-in strategies with their parameters, defaults and optimization ranges')
    .option('--json', 'machine-readable output: an array of { id, description, params }')
    .action((opts: { json?: boolean }) => {
      const list = BUILT_IN_STRATEGIES.map((s) => ({
        id: s.id,
        description: s.description,
        params: describeParams(s),
      }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      for (const s of list) {
        process.stdout.write(`${s.id}\n  ${s.description}\n`);
        for (const p of s.params) {
          const range =
            p.min !== undefined || p.max !== undefined ? ` range ${p.min ?? ''}..${p.max ?? ''}` : '';
          const step = p.step !== undefined ? ` step ${p.step}` : '';
          const choices = p.enum ? ` one of ${p.enum.join('|')}` : '';
          process.stdout.write(
            `  --params ${p.name}=<${p.type}> default ${JSON.stringify(p.default)}${range}${step}${choices}${p.description ? `  (${p.description})` : ''}\n`,
          );
        }
      }
    });
}

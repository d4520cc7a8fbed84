import { describe, expect, it } from 'vitest';
import { COMMANDS, buildProgram } from '../../src/cli/program.js';

const names = (commands: readonly { name(): string }[]): string[] => commands.map((c) => c.name());

describe('qts command table', () => {
  it('each entry names exactly the top-level commands its module registers, in help order', async () => {
    const all = await buildProgram(['--help']);
    expect(names(all.commands)).toEqual(COMMANDS.flatMap((c) => c.names));
    for (const entry of COMMANDS) {
      for (const name of entry.names) {
        const program = await buildProgram([name, '--help']);
        expect(names(program.commands), name).toEqual(entry.names);
      }
    }
  });

  it('a word that is no command, a bare qts and help register every command (for help and suggestions)', async () => {
    const every = COMMANDS.flatMap((c) => c.names);
    for (const args of [['bactest'], [], ['help', 'backtest']]) {
      expect(names((await buildProgram(args)).commands), args.join(' ')).toEqual(every);
    }
    expect((await buildProgram(['--version'])).commands).toEqual([]);
  });
});

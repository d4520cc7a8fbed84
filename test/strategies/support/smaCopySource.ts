/**
 * The text of a user's strategy file that copies sma-cross through the public specifier only,
 * as a user outside the repository writes one. `declaration` is how the class is exported
 * (`export class X` or `export default class X`): the loader takes either.
 */
export function smaCopySource(declaration: string, id: string): string {
  return `
import { CrossOver, RollingSma, Strategy, crossSignal, followLongFlat, z } from 'quant-trading-system/strategy';
import type { Bar } from 'quant-trading-system/strategy';

${declaration} extends Strategy<{ fast: number; slow: number }> {
  static readonly id = '${id}';
  static readonly description = 'a copy of sma-cross';
  static readonly paramsSchema = z.object({
    fast: z.number().int().default(10).meta({ step: 1 }),
    slow: z.number().int().default(30).meta({ step: 1 }),
  });
  private readonly fast = new RollingSma(this.params.fast);
  private readonly slow = new RollingSma(this.params.slow);
  private readonly cross = new CrossOver();
  override onBar(bar: Bar): void {
    const c = this.cross.update(this.fast.update(bar.close), this.slow.update(bar.close));
    if (c !== 0) followLongFlat(this.ctx, bar.symbol, crossSignal(c));
  }
}
`;
}

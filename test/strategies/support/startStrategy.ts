import type { AnyStrategyClass, Strategy } from '../../../src/strategy/Strategy.js';
import type { FakeContextOptions } from './FakeContext.js';
import { FakeContext } from './FakeContext.js';

/** Parses raw params with the class's own schema (defaults filled), builds it on a FakeContext and starts it. */
export function startStrategy(
  cls: AnyStrategyClass,
  raw: Record<string, unknown> = {},
  opts: FakeContextOptions = {},
): { ctx: FakeContext; strategy: Strategy<unknown> } {
  const ctx = new FakeContext(opts);
  const Ctor = cls as unknown as new (c: FakeContext, p: unknown) => Strategy<unknown>;
  const strategy = new Ctor(ctx, cls.paramsSchema.parse(raw));
  ctx.start(strategy);
  return { ctx, strategy };
}

import { formatFixed } from '../../../core/Fixed.js';
import type { MessageBus } from '../../../kernel/MessageBus.js';
import { ORDER_EVENTS, barsTopic, tradesTopic } from '../../../kernel/topics.js';
import type { Portfolio } from '../../../portfolio/Portfolio.js';
import { openPositions } from '../../engine/openPositions.js';
import { Throttle } from '../Throttle.js';
import type { SourceContext } from './guard.js';
import { guarded } from './guard.js';

/** Open positions as GET /positions shows them (openPositions). */
export function positionsState(p: Portfolio, now: number): unknown {
  return { ts: now, currency: p.currency, positions: openPositions(p) };
}

/**
 * Account figures: exact equity (cash + positions at last prices), cash, realized PnL and fees.
 * `feesPaid` is every fee in the account currency, a spot fee taken in the coin (Binance: every
 * buy) valued at its fill's price; a fee in a third currency (BNB) has no price here, so it is
 * listed per currency in `feesUnvalued` rather than dropped or added as if it were money.
 */
export function equityState(p: Portfolio, now: number): unknown {
  const unvalued: Record<string, string> = {};
  for (const [currency, fee] of [...p.ledger.feesUnvalued()].sort(([a], [b]) => (a < b ? -1 : 1)))
    unvalued[currency] = formatFixed(fee);
  return {
    ts: now,
    currency: p.currency,
    equity: p.equity(),
    equityExact: formatFixed(p.equityExact()),
    cash: formatFixed(p.cash()),
    realizedPnl: formatFixed(p.ledger.realizedPnl()),
    feesPaid: formatFixed(p.ledger.feesInSettle(p.currency)),
    feesUnvalued: unvalued,
  };
}

/**
 * `positions` and `equity`: full state after every fill and price change, at most one
 * update per throttle interval per channel (the last change always goes out).
 */
export function accountChannels(
  ctx: SourceContext,
  bus: MessageBus,
  portfolio: Portfolio,
  feeds: readonly { symbol: string; timeframe: string }[],
): () => void {
  const positions = ctx.registry.channel({
    name: 'positions',
    snapshot: () => positionsState(portfolio, ctx.now()),
  });
  const equity = ctx.registry.channel({ name: 'equity', snapshot: () => equityState(portfolio, ctx.now()) });
  // Emits run from a timer: a fault there must be caught here, or it would end the process.
  const pos = new Throttle(
    ctx.throttleMs,
    guarded<void>(ctx.log, 'positions', () => positions.publish(positionsState(portfolio, ctx.now()))),
    ctx.now,
  );
  const eq = new Throttle(
    ctx.throttleMs,
    guarded<void>(ctx.log, 'equity', () => equity.publish(equityState(portfolio, ctx.now()))),
    ctx.now,
  );
  const changed = guarded<void>(ctx.log, 'account', () => {
    pos.trigger();
    eq.trigger();
  });
  const offs = [
    bus.subscribe(ORDER_EVENTS, (e) => {
      if (e.type === 'OrderFilled') changed();
    }),
    ...feeds.flatMap((f) => [
      bus.subscribe(barsTopic(f.symbol, f.timeframe), () => changed()),
      bus.subscribe(tradesTopic(f.symbol), () => changed()),
    ]),
  ];
  return () => {
    for (const off of offs) off();
    pos.dispose();
    eq.dispose();
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, mul, neg, sub, toFixed, toNumber } from '../../src/core/Fixed.js';
import type { OrderFilled } from '../../src/model/events.js';
import type { Instrument } from '../../src/model/Instrument.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import type { MarginMode } from '../../src/model/MarginMode.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

const A = makeInstrument({ symbol: 'AAA/USDT:USDT', maintenanceRate: '0.01', takerFee: '0.0004' });
const B = makeInstrument({
  symbol: 'BBB/USDT:USDT',
  maintenanceTiers: [
    { notionalFloor: 0, notionalCap: 5000, rate: '0.005' },
    { notionalFloor: 5000, rate: '0.02', maintenanceAmount: 75 },
  ],
  takerFee: '0.0004',
});
const INST: Record<string, Instrument> = { [A.symbol]: A, [B.symbol]: B };
const START = toFixed(10_000);
/** Liquidations seen across runs: the property must exercise them, not only trades. */
const seen = { liquidations: 0, insurance: 0, funding: 0 };

/** Prices with 4 decimals in [0.5, 200], as a venue quotes them. */
const price = fc.integer({ min: 5_000, max: 2_000_000 }).map((n) => toFixed(`${n}e-4`));
const op = fc.oneof(
  fc.record({
    kind: fc.constant('fill' as const),
    sym: fc.constantFrom(A.symbol, B.symbol),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    qty: fc.integer({ min: 1, max: 5000 }).map((n) => toFixed(`${n}e-1`)),
    px: price,
  }),
  fc.record({ kind: fc.constant('mark' as const), sym: fc.constantFrom(A.symbol, B.symbol), px: price }),
  fc.record({
    kind: fc.constant('funding' as const),
    sym: fc.constantFrom(A.symbol, B.symbol),
    rate: fc.integer({ min: -300, max: 300 }).map((n) => toFixed(`${n}e-5`)),
  }),
);

function fillOf(sym: string, side: 'BUY' | 'SELL', qty: Fixed, px: Fixed, fee: Fixed): OrderFilled {
  return {
    type: 'OrderFilled',
    eventId: 'e',
    orderId: 'o',
    strategyId: 's',
    symbol: sym,
    ts: 0,
    tradeId: 't',
    side,
    lastQty: qty,
    lastPx: px,
    fee,
    feeCurrency: 'USDT',
    liquidity: 'TAKER',
  };
}

/**
 * Runs random fills (admitted only when the account can margin them, as the venue does),
 * mark moves and funding settlements; after each mark move a breached account is
 * liquidated by the account's own plan, as the clearing does. Checks the ledger identities
 * after every step.
 */
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function run(mode: MarginMode, leverage: number, ops: readonly Op[]): Portfolio {
  const p = new Portfolio('USDT', { USDT: START }, (s) => INST[s] as Instrument, { leverage, mode });
  const marks = new Map<string, Fixed>();
  let fees: Fixed = ZERO;
  let funding: Fixed = ZERO;
  const lossesOverMargin: Fixed[] = [];
  const markOf = (s: string): Fixed => marks.get(s) ?? ZERO;
  const setMark = (s: string, px: Fixed): void => {
    marks.set(s, px);
    p.updatePrice(s, toNumber(px));
    p.updateMarkPrice(s, toNumber(px));
  };
  for (const o of ops) {
    if (o.kind === 'fill') {
      // The market trades at px before the fill: the mark gets there first, and the clearing
      // liquidates whatever it breached on the way.
      setMark(o.sym, o.px);
      liquidateBreached();
      const inst = INST[o.sym] as Instrument;
      const fee = mul(mul(o.qty, o.px), inst.takerFee);
      if (p.margin.marginShortfall(inst, o.side, o.qty, o.px, fee) !== undefined) continue;
      p.applyFill(fillOf(o.sym, o.side, o.qty, o.px, fee));
      fees = add(fees, fee);
    } else if (o.kind === 'funding') {
      const qty = p.positionQty(o.sym);
      if (!marks.has(o.sym)) continue;
      const amount = neg(mul(mul(qty, markOf(o.sym)), o.rate));
      p.applyFunding({
        type: 'FundingSettled',
        symbol: o.sym,
        ts: 0,
        rate: o.rate,
        markPrice: markOf(o.sym),
        positionQty: qty,
        amount,
        currency: 'USDT',
      });
      if (qty !== ZERO) {
        funding = add(funding, amount);
        seen.funding++;
      }
    } else {
      setMark(o.sym, o.px);
    }
    liquidateBreached();
    checkIdentities();
  }
  return p;

  /** Liquidates what is breached at the current marks (the clearing's point check). */
  function liquidateBreached(): void {
    for (const sym of [A.symbol, B.symbol]) {
      const h = p.margin.health(sym, markOf(sym));
      if (h === undefined || h.balance > h.maintenance) continue;
      const marginBefore = p.margin.isolatedMargin(sym);
      const plans = p.margin.liquidationPlans(sym, markOf(sym));
      for (const plan of plans) {
        seen.liquidations++;
        if (plan.insuranceCovered > 0n) seen.insurance++;
        p.applyLiquidation({
          type: 'PositionLiquidated',
          symbol: plan.symbol,
          ts: 0,
          marginMode: plan.mode,
          side: plan.side,
          positionQty: plan.positionQty,
          price: plan.price,
          markPrice: plan.price,
          realizedPnl: plan.realizedPnl,
          fee: plan.fee,
          insuranceCovered: plan.insuranceCovered,
          currency: 'USDT',
        });
        fees = add(fees, plan.fee);
        if (mode === 'ISOLATED') {
          // The trader's loss: −PnL + fee − what insurance covered; never beyond the margin.
          const loss = sub(add(neg(plan.realizedPnl), plan.fee), plan.insuranceCovered);
          lossesOverMargin.push(sub(loss, marginBefore));
        }
      }
    }
  }

  function checkIdentities(): void {
    const ledger = p.ledger;
    const wallet = ledger.balance('USDT');
    let upnl: Fixed = ZERO;
    for (const pos of ledger.allPositions())
      if (pos.qty !== ZERO) upnl = add(upnl, ledger.unrealizedPnl(pos.symbol, markOf(pos.symbol)));
    const equity = ledger.equity('USDT', markOf, (s) => INST[s] as Instrument);
    // equity = wallet + Σ unrealized at mark, exactly.
    expect(equity).toBe(add(wallet, upnl));
    // funding + fees + realized + unrealized (+ insurance) = equity − start, exactly.
    const explained = add(
      add(add(ledger.realizedPnl(), upnl), sub(ledger.fundingNet('USDT'), ledger.feesPaid('USDT'))),
      ledger.insuranceCovered('USDT'),
    );
    expect(explained).toBe(sub(equity, START));
    expect(ledger.feesPaid('USDT')).toBe(fees);
    expect(ledger.fundingNet('USDT')).toBe(funding);
    if (mode === 'ISOLATED') {
      // Isolated: the wallet never goes negative, and no liquidation lost more than its margin.
      expect(wallet >= 0n).toBe(true);
      for (const d of lossesOverMargin) expect(d <= 0n).toBe(true);
      // Isolated margins are carved out of the wallet, never more than it.
      expect(p.margin.crossWallet('USDT') >= 0n).toBe(true);
    }
  }
}

describe('perpetual account (ledger + margin), property', () => {
  it('isolated: equity identities hold exactly, wallet ≥ 0, a liquidation never loses more than the margin', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 125 }),
        fc.array(op, { minLength: 1, maxLength: 60 }),
        (lev, ops) => {
          run('ISOLATED', lev, ops);
        },
      ),
      { numRuns: 1500 },
    );
    expect(seen.liquidations).toBeGreaterThan(0);
    expect(seen.funding).toBeGreaterThan(0);
  });

  it('cross: equity identities hold exactly, and a deficit left by a liquidation is brought to zero by insurance', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 125 }),
        fc.array(op, { minLength: 1, maxLength: 60 }),
        (lev, ops) => {
          const p = run('CROSS', lev, ops);
          // After every liquidation the cross wallet is never left below zero.
          if (p.ledger.insuranceCovered('USDT') > 0n) expect(p.margin.crossWallet('USDT') >= 0n).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

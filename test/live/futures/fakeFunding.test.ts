/**
 * The fake's funding, read through an unmodified ccxt binanceusdm: a settlement pays or charges
 * the open position notional at mark × rate into the wallet with a FUNDING_FEE income row
 * (GET /fapi/v1/income, what fetchFundingHistory reads), the settled rate and mark
 * (GET /fapi/v1/fundingRate), and premiumIndex's lastFundingRate / nextFundingTime follow a
 * market's schedule, which settles by itself as the replay clock passes each funding time.
 */
import type { Exchange } from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import { fmtUnits, mulUnits, parseUnits } from '../../support/fakeBinance/decimal.js';
import { parseSignedUnits } from '../../support/fakeBinance/futuresFunding.js';
import {
  KEYS,
  PERP,
  PERP_ID,
  WALLET,
  perpTape,
  startFuturesFake,
  tradingExchange,
} from './support/futuresHarness.js';

const EIGHT_HOURS = 8 * 3_600_000;

describe('fake Binance USDT-M funding', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function boot(fake: FakeBinance): Promise<Exchange> {
    closers.push(() => fake.close());
    const ex = await tradingExchange(fake);
    closers.push(() => ex.close());
    await ex.loadMarkets();
    return ex;
  }

  it('pays and charges positions by Binance rule and serves the income rows ccxt parses', async () => {
    const fake = await startFuturesFake(perpTape(10));
    const ex = await boot(fake);
    fake.step(3);
    // Flat: nothing paid, no income row, but the rate is settled.
    expect(fake.settleFunding(PERP, '0.0001')).toBeUndefined();
    await ex.createOrder(PERP, 'market', 'buy', 100);
    fake.step(1);
    const mark = fake.account.futuresLedger.markPrice(PERP_ID);
    const walletBefore = fake.account.futuresLedger.wallet;
    const paid = fake.settleFunding(PERP, '0.0001');
    const expectedPaid = -mulUnits(mulUnits(parseUnits('100') ?? 0n, mark), parseUnits('0.0001') ?? 0n);
    expect(paid?.income).toBe(fmtUnits(expectedPaid));
    expect(expectedPaid < 0n).toBe(true);
    expect(fake.account.futuresLedger.wallet - walletBefore).toBe(expectedPaid);
    // Short 100: a negative rate is paid by shorts too.
    await ex.createOrder(PERP, 'market', 'sell', 200);
    fake.step(1);
    const charged = fake.settleFunding(PERP_ID, '-0.0002');
    expect(parseSignedUnits(charged?.income ?? '') ?? 0n).toBeLessThan(0n);
    const received = fake.settleFunding(PERP_ID, '0.0003');
    expect(parseSignedUnits(received?.income ?? '') ?? 0n).toBeGreaterThan(0n);

    const history = await ex.fetchFundingHistory(PERP);
    expect(
      history.map((h) => [h.id, h.symbol, h.code, (h.info as Record<string, unknown>)['income']]),
    ).toEqual([paid, charged, received].map((r) => [String(r?.tranId), PERP, 'USDT', r?.income]));
    // since / limit reach the fake as startTime / limit.
    const last = await ex.fetchFundingHistory(PERP, received?.time, 1);
    expect(last.map((h) => h.id).length).toBe(1);
    // The wallet moved by exactly the income rows and the fills.
    const fills = fake.account.trades('futures');
    const fees = fills.reduce((s, f) => s + f.commission, 0n);
    const realized = fills.reduce((s, f) => s + f.realizedPnl, 0n);
    const income = fake.funding.incomeRows.reduce((s, r) => s + r.income, 0n);
    expect(fake.account.futuresLedger.wallet).toBe((parseUnits(WALLET) ?? 0n) + realized - fees + income);

    const rates = await ex.fetchFundingRateHistory(PERP);
    expect(rates.map((r) => (r.info as Record<string, unknown>)['fundingRate'])).toEqual([
      '0.00010000',
      '0.00010000',
      '-0.00020000',
      '0.00030000',
    ]);
  });

  it('settles a market schedule as the replay clock passes funding times; premiumIndex shows it', async () => {
    const start = 1_700_000_040_000;
    const first = Math.ceil((start + 1) / EIGHT_HOURS) * EIGHT_HOURS;
    // One trade an hour for a day: three funding times pass.
    const trades = Array.from({ length: 25 }, (_, i) => ({
      id: i + 1,
      ts: start + i * 3_600_000,
      price: 1.2,
      amount: 500,
      side: 'buy' as const,
    }));
    const fake = await FakeBinance.start({
      markets: [
        {
          symbol: 'XRP/USDT',
          trades,
          tickSize: '0.0001',
          lotSize: '0.1',
          futures: true,
          funding: { everyMs: EIGHT_HOURS, rate: '0.0001' },
        },
      ],
      account: { apiKeys: { [KEYS.apiKey]: KEYS.secret }, futuresWallet: WALLET },
    });
    const ex = await boot(fake);
    fake.step(1);
    const before = await ex.fetchFundingRate(PERP);
    expect(before.fundingTimestamp).toBe(first);
    await ex.createOrder(PERP, 'market', 'sell', 1000);
    fake.step(24);
    const rows = fake.funding.incomeRows;
    expect(rows.map((r) => r.time)).toEqual(
      [first, first + EIGHT_HOURS, first + 2 * EIGHT_HOURS].filter((t) => t <= fake.now()),
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // Short 1000 at 1.2 receives 1000 × 1.2 × 0.0001 = 0.12 each time.
    for (const r of rows) expect(fmtUnits(r.income)).toBe('0.12000000');
    const after = await ex.fetchFundingRate(PERP);
    expect(after.fundingRate).toBe(0.0001);
    expect(after.fundingTimestamp).toBe((rows.at(-1)?.time ?? 0) + EIGHT_HOURS);
  });

  it('refuses an unsigned income request like Binance', async () => {
    const fake = await startFuturesFake(perpTape(2));
    closers.push(() => fake.close());
    const res = await fetch(`${fake.restUrl}/fapi/v1/income?incomeType=FUNDING_FEE`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

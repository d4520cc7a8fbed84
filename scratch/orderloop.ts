import { toFixed, mul, fromNumber, formatFixed } from '../src/core/Fixed.js';
import { TestClock } from '../src/kernel/Clock.js';
import { makeInstrument } from '../src/model/Instrument.js';
import { TradingNode } from '../src/node/TradingNode.js';
import { parseSizing } from '../src/portfolio/Sizer.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../src/sim/SimulatedVenue.js';
import { IdGenerator } from '../src/core/ids.js';

const clock = new TestClock(0);
const node = new TradingNode({ clock, instruments: [makeInstrument({ symbol: 'B/U' })], currency: 'U', initialCash: { U: 1e9 }, sizing: parseSizing('all-in', toFixed(1)) });
const venue = new SimulatedVenue({ clock, instrument: (s) => node.instrument(s), funds: node.portfolio, config: { ...DEFAULT_FILL_MODEL, fillAt: 'close' } });
venue.setSink(node.connect(venue));
node.registerFeed('B/U', '1m');
const bar = { symbol: 'B/U', timeframe: '1m', ts: 0, open: 100, high: 100, low: 100, close: 100.12345678, volume: 1e9, closed: true };
clock.advanceTo(60000); venue.processBar(bar); node.onBar(bar);
const req = (side: 'BUY' | 'SELL') => ({ symbol: 'B/U', side, type: 'MARKET' as const, quantity: toFixed(3), timeInForce: 'GTC' as const, postOnly: false, reduceOnly: false });
for (let round = 0; round < 3; round++) {
  const N = 20000;
  let t = performance.now();
  for (let i = 0; i < N; i++) node.submit('s', req(i % 2 === 0 ? 'BUY' : 'SELL'));
  const full = (performance.now() - t) / N * 1000;
  t = performance.now();
  let x = toFixed(0); const a = toFixed('123.45678'), b = toFixed('3.5');
  for (let i = 0; i < N; i++) x = mul(a, b);
  const m = (performance.now() - t) / N * 1000;
  t = performance.now();
  for (let i = 0; i < N; i++) x = fromNumber(100.12345678);
  const f = (performance.now() - t) / N * 1000;
  t = performance.now(); let s = '';
  for (let i = 0; i < N; i++) s = formatFixed(a);
  const fm = (performance.now() - t) / N * 1000;
  const g = new IdGenerator('Q'); t = performance.now();
  for (let i = 0; i < N; i++) s = g.next();
  const id = (performance.now() - t) / N * 1000;
  console.log(`order lifecycle ${full.toFixed(2)} µs | mul ${(m*1000).toFixed(0)} ns | fromNumber ${(f*1000).toFixed(0)} ns | format ${(fm*1000).toFixed(0)} ns | id ${(id*1000).toFixed(0)} ns`, x > 0n, s.length);
}

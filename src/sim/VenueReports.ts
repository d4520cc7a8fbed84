import type { Fixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Millis } from '../core/time.js';
import type { ExecutionReportSink } from '../execution/ExecutionClient.js';
import type { Liquidity, OrderSide } from '../model/enums.js';
import type { OrderEventInput } from '../model/events.js';
import type { RestingOrder } from './RestingOrder.js';

/**
 * The simulated venue's voice: every order report goes out through here, synchronously, to
 * the one sink (the OMS). Venue order ids and trade ids are minted here ("SIM-7", "SIM-T12"),
 * each one concatenation. The report builders take plain values so a fill or cancel
 * allocates nothing but its event.
 */
export class VenueReports {
  readonly venue: string;
  private sink: ExecutionReportSink | undefined;
  private tradeSeq = 0;
  private readonly orderIdPrefix: string;
  private readonly tradeIdPrefix: string;
  /** Told of every fill before it is reported (perpetuals: the clearing, for funding inside a bar). */
  onFill: ((symbol: string, side: OrderSide, qty: Fixed, ts: Millis) => void) | undefined;

  constructor(venue: string) {
    this.venue = venue;
    this.orderIdPrefix = `${venue}-`;
    this.tradeIdPrefix = `${venue}-T`;
  }

  /** Attaches the report sink (the OMS, after construction). */
  setSink(sink: ExecutionReportSink): void {
    this.sink = sink;
  }

  emit(event: OrderEventInput): void {
    if (this.sink === undefined)
      throw new QtsError('ERR_NO_REPORT_SINK', `${this.venue}: setSink before submitting orders`);
    this.sink(event);
  }

  /** OrderAccepted, under the venue order id of acceptance number `seq`. */
  accepted(orderId: string, strategyId: string, symbol: string, seq: number, ts: Millis): void {
    this.emit({
      type: 'OrderAccepted',
      venueOrderId: this.orderIdPrefix + String(seq),
      orderId,
      strategyId,
      symbol,
      ts,
      eventId: '',
    });
  }

  rejected(
    orderId: string,
    strategyId: string,
    symbol: string,
    ts: Millis,
    code: string,
    reason: string,
  ): void {
    this.emit({
      type: 'OrderRejected',
      code,
      reason,
      orderId,
      strategyId,
      symbol,
      ts,
      eventId: '',
    });
  }

  canceled(orderId: string, strategyId: string, symbol: string, ts: Millis, reason: string): void {
    this.emit({
      type: 'OrderCanceled',
      reason,
      orderId,
      strategyId,
      symbol,
      ts,
      eventId: '',
    });
  }

  triggered(o: RestingOrder, ts: Millis): void {
    this.emit({
      type: 'OrderTriggered',
      orderId: o.id,
      strategyId: o.order.strategyId,
      symbol: o.symbol,
      ts,
      eventId: '',
    });
  }

  /** OrderFilled for `qty` of `o` at `px`, under the next trade id. */
  filled(
    o: RestingOrder,
    qty: Fixed,
    px: Fixed,
    fee: Fixed,
    feeCurrency: string,
    liquidity: Liquidity,
    ts: Millis,
  ): void {
    this.tradeSeq += 1;
    this.onFill?.(o.symbol, o.side, qty, ts);
    this.emit({
      type: 'OrderFilled',
      tradeId: this.tradeIdPrefix + String(this.tradeSeq),
      side: o.side,
      lastQty: qty,
      lastPx: px,
      fee,
      feeCurrency,
      liquidity,
      orderId: o.id,
      strategyId: o.order.strategyId,
      symbol: o.symbol,
      ts,
      eventId: '',
    });
  }
}

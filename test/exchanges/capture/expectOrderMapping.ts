/**
 * The one place where the capture tests check that an exchange's recorded order, as ccxt
 * parsed it, maps into our model: ccxt's unified fields first (what every adapter reads),
 * then the live adapter's mapper (src/exchanges/ccxt/executionMappers: snapshotOf, exact).
 * When the adapter's mapping changes, only this file follows it.
 */
import type { Order } from 'ccxt';
import { expect } from 'vitest';
import { parseFixed } from '../../../src/core/Fixed.js';
import { exact, snapshotOf } from '../../../src/exchanges/ccxt/executionMappers.js';

/** What a recorded order must come out as. */
export interface ExpectedOrder {
  readonly venueOrderId: string;
  /** Our id as the exchange echoes it (Gate adds "t-"); undefined where ccxt does not parse it. */
  readonly clientOrderId: string | undefined;
  readonly state: 'open' | 'closed' | 'canceled';
  readonly filled: string;
  readonly average?: string;
  readonly feeCost?: string;
  readonly feeCurrency?: string;
}

export function expectOrderMapping(order: Order, want: ExpectedOrder): void {
  expect(order.id).toBe(want.venueOrderId);
  expect(order.clientOrderId).toBe(want.clientOrderId);
  expect(order.status).toBe(want.state);
  expect(exact(order.filled)).toBe(parseFixed(want.filled));
  if (want.average !== undefined) expect(exact(order.average)).toBe(parseFixed(want.average));
  if (want.feeCost !== undefined) expect(exact(order.fee?.cost)).toBe(parseFixed(want.feeCost));
  if (want.feeCurrency !== undefined) expect(order.fee?.currency).toBe(want.feeCurrency);

  const snap = snapshotOf(order);
  expect(snap).toEqual({
    venueOrderId: want.venueOrderId,
    clientOrderId: want.clientOrderId,
    state: want.state,
    filled: parseFixed(want.filled),
  });
}

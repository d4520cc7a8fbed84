import type { Order as CcxtOrder } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { TrackedOrders } from '../../src/exchanges/ccxt/TrackedOrders.js';
import { Order } from '../../src/model/Order.js';
import { request } from '../model/orderFixtures.js';

function tracked(): TrackedOrders {
  return new TrackedOrders(
    (id) => `c-${id}`,
    (o) => o.clientOrderId,
  );
}

describe('TrackedOrders', () => {
  it('finds an order by exchange id once acknowledged, else by our client order id', () => {
    const t = tracked();
    const entry = t.track(new Order('O1', 's', request, 0));
    expect(t.find({ id: 'V1', clientOrderId: 'c-O1' } as CcxtOrder)).toBe(entry);
    expect(t.find({ id: 'V1', clientOrderId: 'someone-else' } as CcxtOrder)).toBeUndefined();
    t.acknowledged(entry, 'V1');
    expect(t.find({ id: 'V1' } as CcxtOrder)).toBe(entry);
  });

  it('forgets the exchange id it learned even when the OMS never recorded it', () => {
    // The OMS drops a report it cannot apply; its order then never carries the exchange's id,
    // and a later trade of that id must not find the forgotten order.
    const t = tracked();
    const order = new Order('O1', 's', request, 0);
    const entry = t.track(order);
    t.acknowledged(entry, 'V1');
    expect(order.venueOrderId).toBeUndefined();
    t.forget(entry);
    expect(t.byVenueOrderId('V1')).toBeUndefined();
    expect(t.get('O1')).toBeUndefined();
  });

  it('forgets every exchange id an order had, and only its own entries', () => {
    const t = tracked();
    const entry = t.track(new Order('O1', 's', request, 0));
    const other = t.track(new Order('O2', 's', request, 0));
    t.acknowledged(entry, 'V1');
    t.acknowledged(entry, 'V2');
    t.acknowledged(entry, 'V2');
    t.acknowledged(other, 'V3');
    expect(entry.venueIds).toEqual(['V1', 'V2']);
    t.forget(entry);
    expect([t.byVenueOrderId('V1'), t.byVenueOrderId('V2')]).toEqual([undefined, undefined]);
    expect(t.byVenueOrderId('V3')).toBe(other);
  });
});

import { useState } from 'preact/hooks';
import { ConfirmButton } from '../components/ConfirmButton';
import type { Order } from '../api/types';
import { dec, signOf, time } from '../format';
import { api, canTrade } from '../state/session';
import {
  fills,
  orderFilter,
  orders,
  positions,
  refreshOrders,
  refreshPositions,
  refreshStatus,
  strategies,
} from '../state/store';

const CLOSED = new Set(['DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED']);
const isOpenOrder = (status: string): boolean => !CLOSED.has(status) && status !== 'INITIALIZED';
/** Open, with a cancel asked of the venue and not yet confirmed. */
const cancelPending = (o: Order): boolean => o.cancelRequestedAt !== null && isOpenOrder(o.status);
const isFlat = (qty: string): boolean => /^-?0*(\.0*)?$/.test(qty);

function OrdersTable() {
  const f = orderFilter.value;
  const symbols = [...new Set(strategies.value.flatMap((s) => s.symbols))];
  const set = (patch: Partial<typeof f>): void => {
    orderFilter.value = { ...f, ...patch };
    void refreshOrders();
  };
  return (
    <section class="card wide" data-testid="orders">
      <h3>Orders</h3>
      <div class="toolbar">
        <select
          value={f.symbol}
          onChange={(e) => set({ symbol: e.currentTarget.value })}
          aria-label="symbol filter"
        >
          <option value="">all symbols</option>
          {symbols.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select
          value={f.strategyId}
          onChange={(e) => set({ strategyId: e.currentTarget.value })}
          aria-label="strategy filter"
        >
          <option value="">all strategies</option>
          {strategies.value.map((s) => (
            <option key={s.id}>{s.id}</option>
          ))}
          <option value="api">api</option>
        </select>
        <label>
          <input
            type="checkbox"
            checked={f.open}
            onChange={(e) => set({ open: e.currentTarget.checked })}
            data-testid="open-only"
          />{' '}
          open only
        </label>
      </div>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>id</th>
              <th>time</th>
              <th>strategy</th>
              <th>symbol</th>
              <th>side</th>
              <th>type</th>
              <th>qty</th>
              <th>price</th>
              <th>filled</th>
              <th>status</th>
              {canTrade.value && <th />}
            </tr>
          </thead>
          <tbody>
            {orders.value.map((o) => (
              <tr key={o.id} data-testid={`order-${o.id}`} data-status={o.status}>
                <td>{o.id}</td>
                <td>{time(o.createdAt)}</td>
                <td>{o.strategyId}</td>
                <td>{o.symbol}</td>
                <td class={o.side === 'BUY' ? 'pos' : 'neg'}>{o.side}</td>
                <td>{o.type}</td>
                <td>{dec(o.quantity)}</td>
                <td>{dec(o.price ?? o.avgPx)}</td>
                <td>{dec(o.filledQty)}</td>
                <td title={o.reason ?? ''}>
                  {o.status}
                  {cancelPending(o) && (
                    <span
                      class="muted"
                      data-testid={`cancel-pending-${o.id}`}
                      title={`cancel asked at ${time(o.cancelRequestedAt ?? 0)}; the venue has not confirmed it yet`}
                    >
                      {' '}
                      · cancel pending
                    </span>
                  )}
                </td>
                {canTrade.value && (
                  <td>
                    {isOpenOrder(o.status) && (
                      <ConfirmButton
                        label="Cancel"
                        question={`Cancel ${o.id}?`}
                        confirmLabel="Cancel order"
                        testId={`cancel-${o.id}`}
                        onConfirm={async () => {
                          await api.post(`/orders/${encodeURIComponent(o.id)}/cancel`, {});
                          await Promise.all([refreshOrders(), refreshStatus()]);
                        }}
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PositionsTable() {
  const [qty, setQty] = useState('');
  return (
    <section class="card wide" data-testid="positions">
      <h3>Positions</h3>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>symbol</th>
              <th>qty</th>
              <th>avg price</th>
              <th>last</th>
              <th>unrealized</th>
              <th>realized</th>
              {canTrade.value && <th />}
            </tr>
          </thead>
          <tbody>
            {positions.value.map((p) => (
              <tr key={p.symbol} data-testid={`position-${p.symbol}`}>
                <td>{p.symbol}</td>
                <td>{dec(p.qty)}</td>
                <td>{dec(p.avgPrice)}</td>
                <td>{p.lastPrice ?? '—'}</td>
                <td class={signOf(p.unrealizedPnl)}>{dec(p.unrealizedPnl)}</td>
                <td class={signOf(p.realizedPnl)}>{dec(p.realizedPnl)}</td>
                {canTrade.value && (
                  <td>
                    {!isFlat(p.qty) && (
                      <ConfirmButton
                        label="Close"
                        question={`Close ${p.symbol} with a reduce-only market order?`}
                        confirmLabel="Close position"
                        testId={`close-${p.symbol}`}
                        onConfirm={async () => {
                          await api.post('/positions/close', {
                            symbol: p.symbol,
                            ...(qty.trim() === '' ? {} : { quantity: qty.trim() }),
                          });
                          await Promise.all([refreshPositions(), refreshOrders()]);
                        }}
                      >
                        <input
                          placeholder="quantity (all)"
                          value={qty}
                          onInput={(e) => setQty(e.currentTarget.value)}
                          aria-label="quantity to close"
                        />
                      </ConfirmButton>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FillsTable() {
  const [symbol, setSymbol] = useState('');
  const shown = fills.value.filter((f) => symbol === '' || f.symbol === symbol).slice(0, 200);
  return (
    <section class="card wide" data-testid="fills">
      <h3>Fills</h3>
      <div class="toolbar">
        <select
          value={symbol}
          onChange={(e) => setSymbol(e.currentTarget.value)}
          aria-label="fills symbol filter"
        >
          <option value="">all symbols</option>
          {[...new Set(fills.value.map((f) => f.symbol))].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <span class="muted">{shown.length} shown</span>
      </div>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>time</th>
              <th>order</th>
              <th>strategy</th>
              <th>symbol</th>
              <th>side</th>
              <th>qty</th>
              <th>price</th>
              <th>fee</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={f.tradeId}>
                <td>{time(f.ts)}</td>
                <td>{f.orderId}</td>
                <td>{f.strategyId}</td>
                <td>{f.symbol}</td>
                <td class={f.side === 'BUY' ? 'pos' : 'neg'}>{f.side}</td>
                <td>{dec(f.qty)}</td>
                <td>{dec(f.px)}</td>
                <td>
                  {dec(f.fee)} {f.feeCurrency}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Orders, positions and fills with live updates, filters, cancel and close. */
export function Trading() {
  return (
    <div class="view" data-testid="view-trading">
      <PositionsTable />
      <OrdersTable />
      <FillsTable />
    </div>
  );
}

import type { AccountDifference } from '../execution/reconcileAccount.js';

/** What the operator has to do about a margin-mode difference (audited, logged, in the health detail). */
export function marginModeAction(d: AccountDifference): string {
  return (
    `${d.key} is margined ${d.exchange} on the exchange, ${d.local} is configured; Binance refuses a ` +
    `margin-type change while the position is open, so our books follow the exchange's ${d.exchange} ` +
    `meanwhile. Close the position (the engine then sets ${d.local} again), or set ` +
    `live.perpetuals["${d.key}"].marginMode to "${d.exchange}" and restart`
  );
}

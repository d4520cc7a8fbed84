import type { Fixed } from '../core/Fixed.js';
import { OrderSide } from '../model/enums.js';
import type { Direction } from './IntrabarPath.js';
import { reaches } from './IntrabarPath.js';
import type { MatchEvent, PricedEvent } from './MatchEvent.js';
import type { Cursor, RestingOrder } from './RestingOrder.js';
import { cursorPx } from './RestingOrder.js';

/**
 * The next thing that happens to `o` on the rest of its current walk, or undefined when
 * nothing does before the bar ends. Pure: it reads the order and its cursor, changes nothing
 * (the venue executes the earliest event among all orders of the bar, then asks again).
 *
 * - An untriggered conditional order waits for its trigger (a trailing stop's trigger moves
 *   with the best price seen along the walk).
 * - A market-like order that is live fills right where it stands.
 * - A limit fills where the walk first reaches its price; if the walk starts already through
 *   it (a gap at the open) it fills at that better start price.
 * - IOC/FOK orders get one chance, at their entry point: if they cannot execute there they expire.
 */
export function matchOrder(o: RestingOrder): MatchEvent | undefined {
  const c = o.cursor;
  if (c === undefined || o.allowance() <= 0n) return undefined;
  if (o.conditional && !o.triggered) {
    return o.trailPct !== undefined
      ? trailingTrigger(o, c)
      : levelEvent('trigger', c, o.triggerF, o.triggerPx, o.triggerDir);
  }
  if (o.marketLike) return { kind: 'fill', t: c.t, atStart: true, px: cursorPx(c), pxF: c.pxF };
  const ev = levelEvent('fill', c, o.limitF, o.limitPx, o.limitDir);
  if (o.immediateOnly && (ev === undefined || !ev.atStart)) return { kind: 'expire', t: c.t };
  return ev;
}

/** First touch of a fixed level from the cursor: at the start (gap) or where the walk crosses it. */
function levelEvent(
  kind: 'trigger' | 'fill',
  c: Cursor,
  levelF: number,
  levelPx: Fixed,
  dir: Direction,
): PricedEvent | undefined {
  if (reaches(c.pxF, levelF, dir)) return { kind, t: c.t, atStart: true, px: cursorPx(c), pxF: c.pxF };
  const t = c.path.crossing(c.t, c.pxF, levelF, dir);
  return t === undefined ? undefined : { kind, t, atStart: false, px: levelPx, pxF: levelF };
}

/**
 * A trailing stop's trigger along the walk. For a sell: the watermark rises on up-legs and
 * drags the trigger up with it (never down); on a down-leg the watermark is fixed, so the
 * stop fires where the leg crosses watermark × (1 − pct). A buy is the mirror image.
 */
function trailingTrigger(o: RestingOrder, c: Cursor): MatchEvent | undefined {
  const sell = o.side === OrderSide.SELL;
  const dir: Direction = sell ? 'down' : 'up';
  const better = (a: number, b: number): boolean => (sell ? a > b : a < b);
  let wm = o.watermark === undefined || better(c.pxF, o.watermark) ? c.pxF : o.watermark;
  let trig = o.trailTrigger(wm);
  if (reaches(c.pxF, trig.f, dir))
    return { kind: 'trigger', t: c.t, atStart: true, px: cursorPx(c), pxF: c.pxF };
  let from = c.t;
  let a = c.pxF;
  for (let s = Math.floor(c.t); s < 3; s++) {
    const b = c.path.point(s + 1);
    if (better(a, b)) {
      // Adverse leg: the watermark stays, the price may cross the trigger.
      if (reaches(b, trig.f, dir)) {
        const t = from + ((s + 1 - from) * (a - trig.f)) / (a - b);
        return {
          kind: 'trigger',
          t: Math.min(s + 1, Math.max(from, t)),
          atStart: false,
          px: trig.px,
          pxF: trig.f,
        };
      }
    } else if (better(b, wm)) {
      // Favorable leg to a new extreme: the trigger ratchets, always staying behind the price.
      wm = b;
      trig = o.trailTrigger(wm);
    }
    from = s + 1;
    a = b;
  }
  return undefined;
}

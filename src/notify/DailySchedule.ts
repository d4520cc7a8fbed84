const DAY_MS = 86_400_000;

/** The first `hourUtc`:00:00 UTC strictly after `now`. */
export function nextDailyAt(now: number, hourUtc: number): number {
  const today = Math.floor(now / DAY_MS) * DAY_MS + hourUtc * 3_600_000;
  return today > now ? today : today + DAY_MS;
}

/**
 * When the daily summary is due, on an injected clock. Polled (once a second by the
 * service): `due` is true once per crossing of the hour. An engine asleep for three days
 * sends one summary when it wakes, not three.
 */
export class DailySchedule {
  private next: number;

  constructor(
    private readonly hourUtc: number,
    now: number,
  ) {
    this.next = nextDailyAt(now, hourUtc);
  }

  /** When the next summary is due. */
  get nextAt(): number {
    return this.next;
  }

  due(now: number): boolean {
    if (now < this.next) return false;
    this.next = nextDailyAt(now, this.hourUtc);
    return true;
  }
}

import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { SignalsOnly, engine, walk } from './backtest.js';

/** A node of V8's sampling heap profile (the fields read here). */
interface SamplingNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children: readonly SamplingNode[];
}
interface SamplingProfile {
  readonly head: SamplingNode;
  readonly samples: readonly { readonly size: number; readonly nodeId: number }[];
}

/** Bytes allocated during `fn` by allocating function (file and name), from V8's sampling heap profiler. */
async function allocations(fn: () => void): Promise<Map<string, number>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    // Objects a young-generation collection frees count too: they are most of what a run allocates.
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    fn();
    // @types/node's SamplingHeapProfile omits `samples`, which V8 does send.
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
      profile: SamplingProfile;
    };
    const where = new Map<number, string>();
    const visit = (n: SamplingNode): void => {
      const file = n.callFrame.url.split('/').slice(-2).join('/');
      where.set(n.id, `${n.callFrame.functionName || '(anonymous)'} ${file || '(native)'}`);
      for (const c of n.children) visit(c);
    };
    visit(profile.head);
    const bytes = new Map<string, number>();
    for (const s of profile.samples) {
      const key = where.get(s.nodeId) ?? '?';
      bytes.set(key, (bytes.get(key) ?? 0) + s.size);
    }
    return bytes;
  } finally {
    session.disconnect();
  }
}

function total(m: Map<string, number>): number {
  let sum = 0;
  for (const v of m.values()) sum += v;
  return sum;
}

/** Young- and old-generation collections during `fn`, counted and timed by Node's gc performance entries. */
async function collections(
  fn: () => void,
): Promise<{ minor: number; minorMs: number; major: number; majorMs: number }> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  fn();
  // Node queues a collection's entry on the event loop once it ends: one turn delivers them
  // all to the observer's buffer, which takeRecords empties without waiting for its callback.
  await new Promise((resolve) => setImmediate(resolve));
  entries.push(...observer.takeRecords());
  observer.disconnect();
  const out = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
  for (const e of entries) {
    // detail.kind: 1 = scavenge (young generation), 2/4 = mark-compact / incremental marking.
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) {
      out.minor++;
      out.minorMs += e.duration;
    } else {
      out.major++;
      out.majorMs += e.duration;
    }
  }
  return out;
}

/**
 * Where the memory a 1M-bar SMA-cross run allocates comes from, and what collecting it costs:
 * the bytes per bar (the signals-only run), per order (the difference to the full run), the
 * functions that allocate most, and the collections of one run. Allocation is sampled (every
 * 4 KB on average), so figures are estimates within a few percent.
 */
export async function benchAllocation(n: number): Promise<void> {
  const series = walk(n, 42);
  // Warm both paths so compiled code, not the first run's feedback collection, is profiled.
  for (let k = 0; k < 2; k++) {
    engine(series, 'close');
    engine(series, 'close', undefined, SignalsOnly);
  }
  let orders = 0;
  const full = await allocations(() => {
    orders = engine(series, 'close').report.orders;
  });
  const signals = await allocations(() => engine(series, 'close', undefined, SignalsOnly));
  const gc = await collections(() => engine(series, 'close'));
  const fullBytes = total(full);
  const signalBytes = total(signals);
  const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  console.log(`\n## allocation, SMA(10)/SMA(30) full engine, ${n.toLocaleString('en-US')} bars (sampled)`);
  console.log(`allocated per run            ${mb(fullBytes).padStart(10)}  (${orders} orders)`);
  console.log(
    `  per bar, signals-only run  ${(signalBytes / n).toFixed(0).padStart(7)} B    (${mb(signalBytes)}: bus, data, strategy, curve)`,
  );
  console.log(
    `  per order                  ${((fullBytes - signalBytes) / Math.max(1, orders)).toFixed(0).padStart(7)} B    (full − signals-only, ÷ orders)`,
  );
  console.log(
    `collections in one run       ${gc.minor} young (${gc.minorMs.toFixed(1)} ms), ${gc.major} old (${gc.majorMs.toFixed(1)} ms)`,
  );
  console.log('largest allocators of the full run:');
  for (const [where, bytes] of [...full].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${mb(bytes).padStart(9)}  ${where}`);
  }
}

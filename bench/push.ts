import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { createAuthenticator } from '../src/api/auth/createAuthenticator.js';
import { PushServer } from '../src/api/push/PushServer.js';

/**
 * The loopback clients run in a worker thread, so that their parsing does not share the
 * server's thread: the figure is the server's fan-out. Each client counts messages; the
 * worker reports when every client has reached the target the main thread set.
 */
const CLIENTS_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const counts = new Array(workerData.clients).fill(0);
let target = Infinity;
let reached = 0;
let ready = 0;
const sockets = [];
for (let i = 0; i < workerData.clients; i++) {
  const ws = new WebSocket(workerData.url);
  sockets.push(ws);
  let subscribed = workerData.channel === null;
  ws.on('open', () => {
    if (workerData.channel !== null) ws.send(JSON.stringify({ op: 'subscribe', channel: workerData.channel }));
    else if (++ready === workerData.clients) parentPort.postMessage('ready');
  });
  ws.on('message', (data) => {
    if (!subscribed) {
      // hello, authed, then the snapshot: from there on, every message is an event.
      if (data.toString().includes('"op":"snapshot"')) {
        subscribed = true;
        if (++ready === workerData.clients) parentPort.postMessage('ready');
      }
      return;
    }
    if (++counts[i] === target && ++reached === workerData.clients) parentPort.postMessage('reached');
  });
}
parentPort.on('message', (m) => {
  if (m === 'close') { for (const ws of sockets) ws.terminate(); parentPort.close(); return; }
  target = m;
  reached = counts.filter((c) => c >= target).length;
  if (reached === workerData.clients) parentPort.postMessage('reached');
});
`;

interface Clients {
  /** Resolves once every client has received `count` events in total. */
  reach(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startClients(url: string, clients: number, channel: string | null): Promise<Clients> {
  const wsPath = createRequire(import.meta.url).resolve('ws');
  const worker = new Worker(CLIENTS_WORKER, { eval: true, workerData: { url, clients, channel, wsPath } });
  let waiting: (() => void) | undefined;
  worker.on('message', (m) => {
    if (m === 'reached' || m === 'ready') waiting?.();
  });
  const wait = (): Promise<void> => new Promise((resolve) => (waiting = resolve));
  await wait();
  return {
    reach: (count) => {
      const p = wait();
      worker.postMessage(count);
      return p;
    },
    close: async () => {
      worker.postMessage('close');
      await new Promise((r) => worker.once('exit', r));
    },
  };
}

/** A candle event as the engine pushes it (≈ 200 bytes on the wire). */
function candle(i: number): unknown {
  const px = 30_000 + (i % 100);
  return {
    symbol: 'BTC/USDT',
    timeframe: '1m',
    ts: 1_700_000_000_000 + i * 60_000,
    open: px,
    high: px + 12.5,
    low: px - 7.25,
    close: px + 3.5,
    volume: 12.345678,
    closed: true,
  };
}

/**
 * Publishes `messages` events in batches, waiting after each batch until every client has
 * them, so neither side buffers without bound; returns deliveries per second.
 */
async function drive(publish: (i: number) => void, clients: Clients, messages: number, batch: number) {
  const t0 = performance.now();
  for (let sent = 0; sent < messages;) {
    const n = Math.min(batch, messages - sent);
    for (let k = 0; k < n; k++) publish(sent + k);
    sent += n;
    await clients.reach(sent);
  }
  return performance.now() - t0;
}

async function runBare(messages: number, clients: number, batch: number): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conns: WebSocket[] = [];
  wss.on('connection', (ws) => conns.push(ws));
  const addr = wss.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const c = await startClients(`ws://127.0.0.1:${port}/`, clients, null);
  let seq = 0;
  // The baseline: serialize once, ws.send the same string to every client.
  const ms = await drive(
    (i) => {
      const text = JSON.stringify({
        op: 'event',
        channel: 'candles:BTC/USDT:1m',
        seq: ++seq,
        data: candle(i),
      });
      for (const ws of conns) ws.send(text);
    },
    c,
    messages,
    batch,
  );
  await c.close();
  await new Promise<void>((r) => wss.close(() => r()));
  return ms;
}

async function runPush(messages: number, clients: number, batch: number): Promise<number> {
  const server = await PushServer.start({
    host: '127.0.0.1',
    port: 0,
    authenticator: createAuthenticator([]),
    allowAnonymous: true,
    maxBufferedBytes: 4 * 1024 * 1024,
    heartbeatMs: 60_000,
    maxClients: clients,
  });
  const ch = server.channel({ name: 'candles:BTC/USDT:1m', snapshot: () => null, replayDepth: 500 });
  const c = await startClients(`ws://127.0.0.1:${server.port}/`, clients, ch.name);
  const ms = await drive((i) => ch.publish(candle(i)), c, messages, batch);
  const dropped = server.stats().droppedSlow;
  await c.close();
  await server.close();
  if (dropped > 0) throw new Error(`push bench: ${dropped} clients dropped as slow; raise maxBufferedBytes`);
  return ms;
}

/**
 * WebSocket push fan-out: `messages` events to `clients` loopback clients through our
 * PushServer (channel, sequence numbers, replay ring, bounded buffers) against a bare `ws`
 * broadcast of the same events in the same run. Best of a few alternating rounds each.
 */
export async function benchPush(messages: number, clients = 100, rounds = 3): Promise<void> {
  const batch = 200;
  await runBare(Math.min(2_000, messages), clients, batch); // warm-up of both paths
  await runPush(Math.min(2_000, messages), clients, batch);
  let bare = Number.POSITIVE_INFINITY;
  let ours = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    bare = Math.min(bare, await runBare(messages, clients, batch));
    ours = Math.min(ours, await runPush(messages, clients, batch));
  }
  const rate = (ms: number): number => (messages * clients) / (ms / 1000);
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(`\nWebSocket push: ${fmt(messages)} events to ${clients} loopback clients (best of ${rounds})`);
  console.log(`  bare ws broadcast   ${fmt(rate(bare))} messages/s delivered (${bare.toFixed(0)} ms)`);
  console.log(`  PushServer fan-out  ${fmt(rate(ours))} messages/s delivered (${ours.toFixed(0)} ms)`);
  console.log(`  ratio PushServer / bare ws: ${(bare / ours).toFixed(2)} (target >= 0.8)`);
}

import { isIP } from 'node:net';
import { authenticatorFor } from '../../api/auth/authenticatorFor.js';
import { TrustedProxies } from '../../api/auth/TrustedProxies.js';
import type { PushStats } from '../../api/push/PushServer.js';
import { PushServer } from '../../api/push/PushServer.js';
import { accountChannels } from '../../api/push/sources/accountChannels.js';
import type { SourceContext } from '../../api/push/sources/guard.js';
import { marketChannels } from '../../api/push/sources/marketChannels.js';
import { orderChannels } from '../../api/push/sources/orderChannels.js';
import type { RiskStateView } from '../../api/push/sources/statusChannels.js';
import { logChannel, watchedChannel } from '../../api/push/sources/statusChannels.js';
import { DEFAULT_PUSH_PORTS } from '../../config/configSchema.js';
import { QtsError } from '../../core/QtsError.js';
import { timeframeToMs } from '../../core/time.js';
import { FillStore } from '../../storage/sqlite/FillStore.js';
import type { RunningService, ServiceContext, ServiceFactory } from './ServiceContext.js';

/** The running push server as a service; `port` is the one bound (tests ask for port 0). */
export interface PushService extends RunningService {
  readonly port: number;
  readonly server: PushServer;
  stats(): PushStats;
}

const STRATEGY_POLL_MS = 1_000;

/**
 * The push port: explicit, else the mode's default (8080 shadow and api, 8081 live) — but
 * an engine whose API asked for any free port (api.port 0, as tests do) gets one here too.
 */
export function pushPort(ctx: Pick<ServiceContext, 'config' | 'mode'>): number {
  const { push, api } = ctx.config;
  if (push.port !== undefined) return push.port;
  return api.port === 0 ? 0 : DEFAULT_PUSH_PORTS[ctx.mode];
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * Starts the WebSocket push server and connects it to the engine: market data, orders,
 * fills, positions, equity, trading state, strategy status and the log tail. In api mode
 * (no engine) it serves what exists there: `logs` and `strategies` (empty).
 */
export async function startPushService(ctx: ServiceContext): Promise<PushService | undefined> {
  const cfg = ctx.config.push;
  if (!cfg.enabled) return undefined;
  const host = cfg.host ?? ctx.config.api.host;
  const authenticator = authenticatorFor(ctx.config, ctx.now);
  if (!authenticator.configured && !isLoopback(host))
    throw new QtsError(
      'ERR_CONFIG',
      `push.host ${host} is reachable from other machines but no API token is configured (api.tokens): refusing to push account data to anyone who connects`,
    );
  const server = await PushServer.start({
    host,
    port: pushPort(ctx),
    authenticator,
    allowAnonymous: !authenticator.configured,
    trustedProxies: new TrustedProxies(ctx.config.api.trustedProxies),
    maxBufferedBytes: cfg.maxBufferedBytes,
    heartbeatMs: cfg.heartbeatMs,
    maxClients: cfg.maxClients,
    log: ctx.log,
    onAuth: (identity, address) =>
      identity === undefined
        ? ctx.audit.record('push.auth.failed', { address }, 'system')
        : ctx.audit.record('push.auth', { address, role: identity.role }, `push:${identity.name}`),
  });
  const src: SourceContext = { registry: server, log: ctx.log, now: ctx.now, throttleMs: cfg.throttleMs };
  const stops: (() => void)[] = [];
  try {
    if (ctx.logTail !== undefined) stops.push(logChannel(src, ctx.logTail));
    // Parameters are part of a strategy's status: a change made by one dashboard reaches the others.
    const strategyList = (): unknown[] => {
      const params = new Map(ctx.engine?.node.strategyInfos().map((s) => [s.id, s.params]) ?? []);
      return ctx.status.status().strategies.map((s) => ({ ...s, params: params.get(s.id) ?? {} }));
    };
    stops.push(
      watchedChannel(
        src,
        'strategies',
        () => JSON.stringify(strategyList()),
        () => ({ strategies: strategyList() }),
        STRATEGY_POLL_MS,
      ),
    );
    const engine = ctx.engine;
    if (engine !== undefined) {
      const { node, db } = engine;
      const deployments = ctx.config.strategies.filter((s) => s.enabled);
      const symbols = [...new Set(deployments.flatMap((d) => d.symbols))];
      const timeframes = [...new Set(deployments.map((d) => d.timeframe))].sort(
        (a, b) => timeframeToMs(a) - timeframeToMs(b),
      );
      const baseTf = timeframes[0] ?? '1m';
      stops.push(
        marketChannels(
          src,
          node.bus,
          symbols.map((symbol) => ({
            symbol,
            timeframes: [
              ...new Set([
                baseTf,
                ...deployments.filter((d) => d.symbols.includes(symbol)).map((d) => d.timeframe),
              ]),
            ],
          })),
        ),
      );
      const fills = new FillStore(db);
      stops.push(orderChannels(src, node.bus, node.oms, (limit) => fills.list({ limit })));
      stops.push(
        accountChannels(
          src,
          node.bus,
          node.portfolio,
          symbols.map((symbol) => ({ symbol, timeframe: baseTf })),
        ),
      );
      const risk = (): RiskStateView => ({
        state: node.risk.state,
        reason: ctx.status.status().tradingStateReason,
      });
      stops.push(watchedChannel(src, 'risk', () => node.risk.state, risk, cfg.throttleMs));
    }
  } catch (e) {
    for (const stop of stops) stop();
    await server.close();
    throw e;
  }
  ctx.log.info(
    { port: server.port, channels: server.channelNames().length },
    `WebSocket push on ws://${host}:${server.port}/ (${authenticator.configured ? 'token required' : 'loopback, no token configured'})`,
  );
  return {
    name: 'push',
    port: server.port,
    server,
    stats: () => server.stats(),
    health: () => {
      const s = server.stats();
      return {
        name: 'push',
        ready: true,
        detail: `ws://${host}:${server.port}/ ${s.clients} clients, ${s.subscriptions} subscriptions; dropped ${s.droppedSlow} slow, ${s.droppedHeartbeat} silent`,
      };
    },
    stop: async () => {
      for (const stop of stops) stop();
      await server.close();
    },
  };
}

/** The push server as a side service of the engine (src/app/services/index.ts). */
export const pushService: ServiceFactory = startPushService;

import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { DashboardServer } from '../../src/monitor/dashboard/DashboardServer.js';
import { WebAssets } from '../../src/monitor/dashboard/WebAssets.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { LAPTOP, PHONE, launchChromium, login, newPage, openContexts, shot } from './support/browser.js';
import type { RecordingAudit } from '../app/support/RecordingAudit.js';
import {
  BACKTEST_FILE,
  HAS_CHROMIUM,
  SYMBOL,
  TOKENS,
  buildWeb,
  startDashboardEngine,
} from './support/dashboardEngine.js';

const why = !HAS_CHROMIUM
  ? ' — SKIPPED: /usr/bin/chromium is missing (apt-get install -y --no-install-recommends chromium)'
  : !HAS_SHARED_DATA
    ? ' — SKIPPED: ../shared/data is missing'
    : '';
if (why !== '') console.warn(`dashboard e2e${why}`);

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseInt((await page.textContent(`[data-testid=${testId}]`)) ?? '', 10);

describe.skipIf(why !== '')(
  `web dashboard in Chromium against a shadow engine on replayed data${why}`,
  () => {
    let rt: TradingRuntime;
    let audit: RecordingAudit;
    let url: string;
    let browser: Browser;
    let webDir: string;

    /** The REST API with a role's static token: what the dashboard shows is checked against it. */
    async function call<T>(
      method: string,
      path: string,
      body?: unknown,
      role: keyof typeof TOKENS = 'admin',
    ) {
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKENS[role].token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    }

    beforeAll(async () => {
      webDir = buildWeb();
      ({ rt, audit, url } = await startDashboardEngine(webDir));
      browser = await launchChromium();
    });
    afterEach(async () => {
      for (const c of [...openContexts]) await c.close();
    });
    afterAll(async () => {
      // The browser first: Chromium can hold connections of closed contexts open, which an
      // HTTP server's close waits for.
      // Chromium can be slow to exit; it is killed with this process in any case.
      await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 10_000))]);
      await rt?.stop();
    });

    it('serves the app at / with its CSP, keeps the API behind its tokens, and proxies the push at /ws', async () => {
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await page.text();
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const js = await fetch(`${url}${script}`);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(js.headers.get('cache-control')).toMatch(/immutable/);
      expect((await fetch(`${url}/strategies`)).headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect((await fetch(`${url}/api/v1/status`)).status).toBe(401);
      expect((await fetch(`${url}/api/v1/no-such-route`)).status).toBe(401);
      // A file the build does not have is simply not there: 404, no token asked for.
      const nope = await fetch(`${url}/assets/nope.js`);
      expect(nope.status).toBe(404);
      expect(await nope.json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
    });

    it('logs in with a token (bad token: the API message), shows the mode banner and the live connection', async () => {
      const { context, page } = await newPage(browser);
      await page.goto(url);
      await page.fill('#login-name', TOKENS.trader.name);
      await page.fill('#login-token', 'wrong-token-0123456789abcdef');
      await page.click('[data-testid=login-form] button[type=submit]');
      const refused = await call<{ message: string }>('POST', '/auth/login', {
        name: TOKENS.trader.name,
        token: 'wrong-token-0123456789abcdef',
      });
      expect(refused.status).toBe(401);
      await page.waitForSelector('[data-testid=login-error]');
      expect(await page.textContent('[data-testid=login-error]')).toBe(refused.body.message);

      await login(page, url, TOKENS.trader);
      const status = await call<{ mode: string; marketData: { source: string } }>('GET', '/status');
      expect(status.body).toMatchObject({
        mode: 'shadow',
        marketData: { source: 'replay' },
        warmUp: { state: 'off', symbols: [] },
        strategies: expect.arrayContaining([
          expect.objectContaining({ id: 'sma-xrp', warmUp: null }),
        ]) as unknown,
      });
      await page.waitForSelector('[data-testid=mode-banner]');
      const banners = await page.locator('[data-testid=mode-banner]').allTextContents();
      expect(banners.some((b) => b.startsWith('SHADOW'))).toBe(true);
      expect(banners.some((b) => b.startsWith('REPLAY-DATA'))).toBe(true);
      expect(await page.textContent('[data-testid=who]')).toBe(`${TOKENS.trader.name} (trader)`);
      // The session is a JWT from /auth/login, not the API token itself.
      const kept = await page.evaluate<string | null>("sessionStorage.getItem('qts.session')");
      expect(kept?.split('.')).toHaveLength(3);
      await page.waitForFunction(
        "!document.querySelector('[data-testid=equity]')?.textContent?.startsWith('—')",
      );
      await shot(page, 'overview');
      await context.close();
    });

    it('draws candles that update live, the strategy overlays and its fills as markers', async () => {
      const { context, page } = await newPage(browser);
      await login(page, url, TOKENS.trader);
      await page.click('[data-testid=nav-market]');
      await waitFor(async () => (await num(page, 'candle-count')) > 10, 'candles');
      const before = await num(page, 'candle-count');
      await waitFor(async () => (await num(page, 'candle-count')) > before, 'a live candle');
      await waitFor(async () => (await num(page, 'marker-count')) > 0, 'fill markers');
      const shown = await num(page, 'marker-count');
      const fills = await call<{ items: { symbol: string }[] }>(
        'GET',
        `/fills?symbol=${encodeURIComponent(SYMBOL)}&limit=1000`,
      );
      expect(fills.body.items.length).toBeGreaterThanOrEqual(shown);
      const tags = await page.locator('[data-testid=view-market] .tag').allTextContents();
      expect(tags).toEqual(expect.arrayContaining(['sma-xrp SMA 3', 'sma-xrp SMA 8']));
      expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
      await shot(page, 'market');
      await context.close();
    });

    it('stops and starts a strategy; bad parameters show the API message next to the field', async () => {
      const { context, page } = await newPage(browser);
      await login(page, url, TOKENS.trader);
      await page.click('[data-testid=nav-strategies]');
      // Replayed data has no history to warm up on: the card says the strategy started cold.
      await page.waitForSelector('[data-testid=strategy-warmup-sma-xrp]:has-text("no warm-up")');
      await page.click('[data-testid=stop-sma-xrp]');
      await page.click('[data-testid=stop-sma-xrp-confirm]');
      await page.waitForSelector('[data-testid=strategy-state-sma-xrp]:has-text("stopped")');
      expect((await call<{ running: boolean }>('GET', '/strategies/sma-xrp')).body.running).toBe(false);
      await page.click('[data-testid=start-sma-xrp]');
      await page.click('[data-testid=start-sma-xrp-confirm]');
      await page.waitForSelector('[data-testid=strategy-state-sma-xrp]:has-text("running")');
      expect((await call<{ running: boolean }>('GET', '/strategies/sma-xrp')).body.running).toBe(true);

      await page.fill('#params-sma-xrp-fast', '30');
      await page.click('[data-testid=params-sma-xrp] button[type=submit]');
      await page.waitForSelector('[data-testid=params-sma-xrp] [data-testid=error-fast]');
      const api = await call<{ message: string }>(
        'PUT',
        '/strategies/sma-xrp/params',
        { params: { fast: 30, slow: 8 } },
        'trader',
      );
      expect(api.status).toBe(400);
      expect(await page.textContent('[data-testid=params-sma-xrp] [data-testid=error-fast]')).toBe(
        api.body.message,
      );
      await page.fill('#params-sma-xrp-slow', 'abc');
      await page.fill('#params-sma-xrp-fast', '3');
      await page.click('[data-testid=params-sma-xrp] button[type=submit]');
      await page.waitForSelector('[data-testid=params-sma-xrp] [data-testid=error-slow]');
      const bad = await call<{ message: string }>(
        'PUT',
        '/strategies/sma-xrp/params',
        { params: { fast: 3, slow: 'abc' } },
        'trader',
      );
      expect(await page.textContent('[data-testid=params-sma-xrp] [data-testid=error-slow]')).toBe(
        bad.body.message,
      );
      expect((await call<{ params: unknown }>('GET', '/strategies/sma-xrp')).body.params).toEqual({
        fast: 3,
        slow: 8,
      });
      await shot(page, 'strategies');
      await context.close();
    });

    it('cancels a resting order from the orders table', async () => {
      const { page } = await newPage(browser);
      await login(page, url, TOKENS.trader);
      await page.click('[data-testid=nav-trading]');
      await page.selectOption('[aria-label="strategy filter"]', 'grid-xrp');
      await page.check('[data-testid=open-only]');
      // The grid re-centres now and then (its own cancels): try again on a fresh order if it won the race.
      let canceled: string | undefined;
      for (let attempt = 0; attempt < 3 && canceled === undefined; attempt++) {
        const button = page.locator('[data-testid^=cancel-]').first();
        await button.waitFor({ timeout: 60_000 });
        const id = ((await button.getAttribute('data-testid')) ?? '').replace(/^cancel-/, '');
        if (attempt === 0) await shot(page, 'orders');
        await button.click();
        await page.click(`[data-testid=cancel-${id}-confirm]`);
        await page.waitForSelector(`[data-testid=order-${id}]`, { state: 'detached' });
        const order = await call<{ status: string; reason: string | null }>('GET', `/orders/${id}`);
        if (order.body.status === 'CANCELED' && order.body.reason !== 'canceled by strategy') canceled = id;
      }
      expect(canceled).toBeDefined();
      const entry = audit.entries.find(
        (e) => e.actor === `api:${TOKENS.trader.name}` && JSON.stringify(e.data).includes(canceled ?? '-'),
      );
      expect(entry).toBeDefined();
      await page.uncheck('[data-testid=open-only]');
      await page.waitForSelector(`[data-testid=order-${canceled}][data-status=CANCELED]`);
    });

    it('pulls the kill switch with confirmation (trader) and resumes (admin only)', async () => {
      const { context, page } = await newPage(browser);
      await login(page, url, TOKENS.trader);
      await page.click('[data-testid=kill]');
      expect((await call<{ state: string }>('GET', '/risk')).body.state).toBe('ACTIVE'); // nothing sent before confirming
      await page.click('[data-testid=kill-confirm]');
      await page.waitForSelector('[data-testid=trading-state]:has-text("HALTED")');
      expect((await call<{ state: string }>('GET', '/risk')).body.state).toBe('HALTED');
      expect(await page.locator('[data-testid=resume]').count()).toBe(0);
      await shot(page, 'kill-switch');
      await context.close();

      const admin = await newPage(browser);
      await login(admin.page, url, TOKENS.admin);
      await admin.page.waitForSelector('[data-testid=trading-state]:has-text("HALTED")');
      await admin.page.click('[data-testid=resume]');
      await admin.page.click('[data-testid=resume-confirm]');
      await admin.page.waitForSelector('[data-testid=trading-state]:has-text("ACTIVE")');
      expect((await call<{ state: string }>('GET', '/risk')).body.state).toBe('ACTIVE');
      await admin.context.close();
    });

    it('runs backtests from the browser, shows progress and the report, and compares two runs', async () => {
      const { context, page } = await newPage(browser);
      await login(page, url, TOKENS.trader);
      await page.click('[data-testid=nav-backtests]');
      await page.selectOption('#bt-strategy', 'sma-cross');
      await page.fill('#bt-file', BACKTEST_FILE);
      await page.fill('#bt-cash', '-5');
      await page.click('[data-testid=run-backtest]');
      await page.waitForSelector('[data-testid=error-cash]');
      const refused = await call<{ message: string }>(
        'POST',
        '/backtests',
        { strategy: 'sma-cross', file: BACKTEST_FILE, cash: -5, params: {} },
        'trader',
      );
      expect(refused.status).toBe(400);
      expect(await page.textContent('[data-testid=error-cash]')).toBe(refused.body.message);

      const runs: string[] = [];
      for (const [fast, slow] of [
        ['5', '20'],
        ['10', '30'],
      ] as const) {
        await page.fill('#bt-cash', '10');
        await page.fill('#bt-fast', fast);
        await page.fill('#bt-slow', slow);
        await page.click('[data-testid=run-backtest]');
        await waitFor(
          async () => (await page.locator('[data-testid^=job-]').count()) > runs.length,
          'the new job',
        );
        const id = (
          (await page.locator('[data-testid^=job-]').first().getAttribute('data-testid')) ?? ''
        ).replace(/^job-/, '');
        runs.push(id);
        await page.waitForSelector(`[data-testid=job-${id}][data-status=done]`, { timeout: 60_000 });
      }
      const [first, second] = runs as [string, string];
      await page.click(`[data-testid=open-${first}]`);
      await page.waitForSelector('[data-testid=backtest-report]');
      const job = await call<{ report: { trades: number; params: unknown } }>('GET', `/backtests/${first}`);
      expect(job.body.report.params).toEqual({ fast: 5, slow: 20 });
      expect(await page.textContent('[data-testid="stat-Trades"]')).toBe(String(job.body.report.trades));
      expect(await page.locator('[data-testid=trade-list] tbody tr').count()).toBeGreaterThan(0);
      await page.selectOption('[aria-label="first run"]', first);
      await page.selectOption('[aria-label="second run"]', second);
      await page.waitForSelector('[data-testid=compare] table');
      expect(await page.locator('[data-testid=compare] thead th').count()).toBe(3);
      await shot(page, 'backtests');
      await context.close();
    });

    it('shows health, the log tail and the audit search (admin)', async () => {
      const { context, page } = await newPage(browser);
      await login(page, url, TOKENS.admin);
      await page.click('[data-testid=nav-system]');
      const ready = await call<{ components: unknown[] }>('GET', '/health/ready');
      await waitFor(
        async () => (await page.locator('[data-testid=health] tr').count()) === ready.body.components.length,
        'health rows',
      );
      await waitFor(
        async () => ((await page.textContent('[data-testid=logs]')) ?? '').trim() !== '',
        'log lines',
      );
      await page.fill('#audit-actor', `api:${TOKENS.trader.name}`);
      await page.click('[data-testid=audit] button[type=submit]');
      const expected = await call<{ items: unknown[] }>(
        'GET',
        `/audit?actor=${encodeURIComponent(`api:${TOKENS.trader.name}`)}&limit=200`,
      );
      expect(expected.body.items.length).toBeGreaterThan(0);
      await waitFor(
        async () =>
          (await page.locator('[data-testid=audit] tbody tr').count()) === expected.body.items.length,
        'audit rows',
      );
      await shot(page, 'system');
      await context.close();
    });

    it('gives a viewer no action buttons', async () => {
      const { context, page } = await newPage(browser);
      await login(page, url, TOKENS.viewer);
      await page.waitForSelector('[data-testid=trading-state]');
      for (const view of ['overview', 'strategies', 'trading', 'backtests'] as const) {
        await page.click(`[data-testid=nav-${view}]`);
        await page.waitForSelector(`[data-testid=view-${view}]`);
        if (view === 'strategies') await page.waitForSelector('#params-sma-xrp-fast');
        expect(
          await page
            .locator(
              '[data-testid=kill], [data-testid=resume], [data-testid^=stop-], [data-testid^=start-], [data-testid^=cancel-], [data-testid^=close-], [data-testid=run-backtest], form.params button[type=submit]',
            )
            .count(),
        ).toBe(0);
      }
      await page.click('[data-testid=nav-strategies]');
      expect(await page.locator('#params-sma-xrp-fast').getAttribute('readonly')).not.toBeNull();
      await shot(page, 'viewer-strategies');
      await context.close();
    });

    it('fits a phone-width screen', async () => {
      const { context, page } = await newPage(browser, PHONE);
      await login(page, url, TOKENS.trader);
      for (const view of ['overview', 'market', 'trading'] as const) {
        await page.click(`[data-testid=nav-${view}]`);
        await page.waitForSelector(`[data-testid=view-${view}]`);
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        expect(`${view}: ${overflow}`).toBe(`${view}: 0`);
        await shot(page, `phone-${view}`);
      }
      await context.close();
    });

    it('is served the same by the standalone web-dashboard server (API and push proxied to the engine)', async () => {
      const server = await DashboardServer.start({
        host: '127.0.0.1',
        port: 0,
        apiUrl: url,
        pushUrl: url.replace('http:', 'ws:'),
        assets: new WebAssets(webDir),
      });
      try {
        const { context, page } = await newPage(browser, LAPTOP);
        await login(page, `http://127.0.0.1:${server.port}/`, TOKENS.trader);
        await page.waitForSelector('[data-testid=mode-banner]:has-text("REPLAY-DATA")');
        await page.click('[data-testid=nav-market]');
        await waitFor(async () => (await num(page, 'candle-count')) > 0, 'candles through the proxy');
        await shot(page, 'standalone-market');
        await context.close();
        expect((await fetch(`http://127.0.0.1:${server.port}/api/v1/status`)).status).toBe(401);
      } finally {
        await server.close();
      }
    });
  },
);

import type { Browser, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { launchChromium, login, newPage, openContexts, shot } from './support/browser.js';
import { HAS_CHROMIUM, TOKENS, buildWeb, startDashboardEngine } from './support/dashboardEngine.js';

const why = !HAS_CHROMIUM
  ? ' — SKIPPED: /usr/bin/chromium is missing (apt-get install -y --no-install-recommends chromium)'
  : !HAS_SHARED_DATA
    ? ' — SKIPPED: ../shared/data is missing'
    : '';

/** The shortest session the configuration allows (api.jwt.ttlSeconds ≥ 10). */
const SESSION_TTL_S = 10;

describe.skipIf(why !== '')(`dashboard session end and lost push in Chromium${why}`, () => {
  let rt: TradingRuntime;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ rt, url } = await startDashboardEngine(buildWeb(), SESSION_TTL_S));
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const c of [...openContexts]) await c.close();
  });
  afterAll(async () => {
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 10_000))]);
    await rt?.stop();
  });

  it('returns to the login form saying the session ended when it expires mid-session', async () => {
    const { page } = await newPage(browser);
    await login(page, url, TOKENS.viewer);
    await page.waitForSelector('[data-testid=equity]');
    // The engine refuses the expired session (REST 401, push closed with 4401): the form says why.
    await page.waitForSelector('[data-testid=session-ended]', { timeout: (SESSION_TTL_S + 15) * 1000 });
    expect(await page.textContent('[data-testid=session-ended]')).toMatch(/session ended.*log in again/i);
    expect(await page.locator('[data-testid=who], [data-testid=equity]').count()).toBe(0);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('qts.session')")).toBeNull();
    await shot(page, 'session-ended');

    // Logging in again clears the notice.
    await login(page, url, TOKENS.viewer);
    expect(await page.locator('[data-testid=session-ended]').count()).toBe(0);
  });

  it('says the figures may be stale while the push is down, and stops saying it once live again', async () => {
    const { page } = await newPage(browser);
    let up = true;
    const routed: WebSocketRoute[] = [];
    // The dashboard's /ws passes through here: while `up` it reaches the engine, else it is cut.
    await page.routeWebSocket(/\/ws$/, (ws) => {
      routed.push(ws);
      if (up) ws.connectToServer();
      else void ws.close({ code: 1011, reason: 'test: push down' });
    });
    // Sessions are short here: a static token without a name is the bearer and does not expire.
    await login(page, url, { name: '', token: TOKENS.viewer.token });
    expect(await page.locator('[data-testid=stale-banner]').count()).toBe(0);

    up = false;
    await routed.at(-1)?.close({ code: 1011, reason: 'test: push down' });
    await page.waitForSelector('[data-testid=stale-banner]');
    expect(await page.textContent('[data-testid=stale-banner]')).toMatch(
      /^OFFLINE — live updates lost at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, reconnecting: .*may be stale$/,
    );
    expect(await page.getAttribute('main', 'class')).toBe('stale');
    expect(await page.textContent('[data-testid=connection]')).not.toContain('live');
    await shot(page, 'push-lost');

    up = true;
    await page.waitForSelector('[data-testid=connection]:has-text("live")', { timeout: 20_000 });
    expect(await page.locator('[data-testid=stale-banner]').count()).toBe(0);
    expect(await page.getAttribute('main', 'class')).toBe('');
  });
});

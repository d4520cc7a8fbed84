import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './dashboardEngine.js';

/** Screenshots of each view land here (git-ignored): test-output/web/. */
export const SHOTS = resolve(import.meta.dirname, '../../../test-output/web');

/** Debian's Chromium, headless, with the flags this machine needs (../shared/TOOLCHAIN.md); a fresh profile per launch. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Contexts opened by a test; closed after it even when it fails, so no page keeps a socket open. */
export const openContexts = new Set<BrowserContext>();

export async function newPage(
  browser: Browser,
  viewport = LAPTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  const page = await context.newPage();
  return { context, page };
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Logs in through the form (name + API token → session), and waits for the live push. */
export async function login(page: Page, url: string, who: { name: string; token: string }): Promise<void> {
  await page.goto(url);
  await page.fill('#login-name', who.name);
  await page.fill('#login-token', who.token);
  await page.click('[data-testid=login-form] button[type=submit]');
  await page.waitForSelector('[data-testid=connection]:has-text("live")');
}

import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, WebAssets, isBackendPath } from '../../src/monitor/dashboard/WebAssets.js';

function builtApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'qts-web-assets-'));
  const dir = join(root, 'web');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  symlinkSync(join(root, 'secret.txt'), join(dir, 'link.txt'));
  return dir;
}

describe('WebAssets: the built dashboard on disk', () => {
  const dir = builtApp();
  const assets = new WebAssets(dir);

  it('serves files with their content type; hashed assets are immutable, index.html is revalidated', () => {
    const index = assets.find('/');
    expect(index?.contentType).toBe('text/html; charset=utf-8');
    expect(index?.cacheControl).toBe('no-cache');
    expect(index?.body.toString()).toContain('id="app"');
    const js = assets.find('/assets/index-abc123.js?v=1');
    expect(js?.contentType).toBe('text/javascript; charset=utf-8');
    expect(js?.cacheControl).toMatch(/immutable/);
    expect(assets.find('/assets/index-abc123.css')?.contentType).toBe('text/css; charset=utf-8');
  });

  it('answers app routes with index.html, but never the API, docs or push paths, nor missing files', () => {
    expect(assets.find('/market')?.body.toString()).toContain('id="app"');
    expect(assets.find('/strategies/sma')?.contentType).toBe('text/html; charset=utf-8');
    for (const p of ['/api/v1/status', '/api', '/docs', '/docs/json', '/ws'])
      expect(assets.find(p)).toBeUndefined();
    expect(assets.find('/assets/missing.js')).toBeUndefined();
  });

  it('never serves a file outside its folder, whatever the path (traversal, encodings, symlinks)', () => {
    expect(assets.find('/link.txt')).toBeUndefined();
    expect(assets.find('/../secret.txt')).toBeUndefined();
    expect(assets.find('/%2e%2e/secret.txt')).toBeUndefined();
    expect(assets.find('/%E0%A4%A')).toBeUndefined();
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('..', '%2e%2e', 'assets', 'secret.txt', '.', '%00', 'link.txt'), {
          maxLength: 6,
        }),
        (parts) => {
          const hit = assets.find(`/${parts.join('/')}`);
          // Whatever is found is the app's own bytes: index.html or one of its assets.
          if (hit !== undefined) expect(hit.body.toString()).not.toBe('outside');
        },
      ),
    );
  });

  it('knows when the app was never built', () => {
    const none = new WebAssets(join(tmpdir(), 'qts-no-such-web-dir'));
    expect(none.available).toBe(false);
    expect(none.find('/')).toBeUndefined();
    expect(assets.available).toBe(true);
  });

  it('tells backend paths from app paths', () => {
    expect(isBackendPath('/api/v1/x')).toBe(true);
    expect(isBackendPath('/ws')).toBe(true);
    expect(isBackendPath('/apiary')).toBe(false);
    expect(isBackendPath('/wss')).toBe(false);
    // The engine's router decodes %-escapes: an encoded API path is the API, never the app.
    expect(isBackendPath('/%61pi/v1/status')).toBe(true);
    expect(assets.find('/%61pi/v1/status')).toBeUndefined();
    expect(isBackendPath('/%E0%A4%A')).toBe(false);
  });
});

describe('the dashboard page', () => {
  it('declares its icon inline (data: is allowed by the CSP), so no page load asks for /favicon.ico', () => {
    // A browser fetching the default icon got an error on every page load (a 401 then; a
    // path outside the build is a 404 now, still an error in the console).
    const html = readFileSync(resolve(import.meta.dirname, '../../web/index.html'), 'utf8');
    expect(html).toMatch(/<link rel="icon" href="data:[^"]*"/);
    expect(DASHBOARD_CSP).toMatch(/img-src [^;]*data:/);
  });
});

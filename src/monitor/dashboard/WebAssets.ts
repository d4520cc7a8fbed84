import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file to send: bytes, content type and cache policy. */
export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page's Content-Security-Policy: only this origin's scripts, styles (inline style
 * attributes too, which the chart library sets), images and connections — including the
 * WebSocket push at /ws. No upgrade-insecure-requests: a dashboard reached over plain HTTP
 * on a LAN address must still load (put TLS in front for anything beyond the machine).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join('; ');

/** Where `npm run build` (vite) writes the dashboard: dist/web at the project root. */
export function defaultWebDir(): string {
  return fileURLToPath(new URL('../../../dist/web/', import.meta.url));
}

/**
 * Paths the dashboard never answers: the API, its docs and the push endpoint — also when
 * spelt with %-escapes (`/%61pi/v1/status`), which the engine's router decodes to the route.
 */
export function isBackendPath(path: string): boolean {
  const backend = /^\/(api|docs|ws)(\/|$)/;
  if (backend.test(path)) return true;
  try {
    return backend.test(decodeURIComponent(path));
  } catch {
    return false;
  }
}

/** The answer to a dashboard path that has no file: status, content type and body. */
export interface MissingAsset {
  readonly status: 404 | 503;
  readonly contentType: string;
  readonly body: string;
}

/**
 * The answer when the built app has no file for `path` (query stripped): a 404 in the API's
 * error shape (`ERR_NOT_FOUND`), so a browser's /favicon.ico or a crawler's /robots.txt is
 * told "no such file", not asked for a token. A page of the app while the app was never built
 * is a 503 saying how to build it, in words for the person looking at the browser.
 */
export function missingAsset(assets: WebAssets, path: string): MissingAsset {
  if (!assets.available && extname(path) === '')
    return {
      status: 503,
      contentType: 'text/plain; charset=utf-8',
      body: 'The web dashboard is not built: run `npm run build:web` (npm start does it for you).\n',
    };
  return {
    status: 404,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ error: 'ERR_NOT_FOUND', message: `the web dashboard has no file ${path}` }),
  };
}

/**
 * The built single-page app, read from disk per request (small files, and a rebuild shows
 * without a restart). Hashed files under /assets/ are cached for a year; index.html is
 * revalidated each time so a new build is seen at once. Any other path without a file
 * extension is a route of the app and gets index.html. Nothing outside the folder is ever
 * served: `..` and symlinks out of it answer undefined.
 */
export class WebAssets {
  private readonly root: string | undefined;

  constructor(dir: string = defaultWebDir()) {
    this.root = existsSync(dir) ? realpathSync(dir) : undefined;
  }

  /** False when the app was never built (npm run build:web). */
  get available(): boolean {
    return this.root !== undefined && existsSync(join(this.root, 'index.html'));
  }

  /** The asset for a URL path (query stripped), or undefined: not ours, or no such file. */
  find(urlPath: string): WebAsset | undefined {
    const root = this.root;
    if (root === undefined || isBackendPath(urlPath)) return undefined;
    let path: string;
    try {
      path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
    } catch {
      return undefined;
    }
    if (path.includes('\0') || path.split('/').includes('..')) return undefined;
    const file = this.fileIn(root, path === '/' ? '/index.html' : path);
    if (file !== undefined) return this.asset(file, path.startsWith('/assets/'));
    // A client-side route (no extension): the app itself.
    if (extname(path) === '') {
      const index = this.fileIn(root, '/index.html');
      return index === undefined ? undefined : this.asset(index, false);
    }
    return undefined;
  }

  private fileIn(root: string, path: string): string | undefined {
    const candidate = join(root, path);
    if (!existsSync(candidate)) return undefined;
    const real = realpathSync(candidate);
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    return statSync(real).isFile() ? real : undefined;
  }

  private asset(file: string, immutable: boolean): WebAsset {
    return {
      body: readFileSync(file),
      contentType: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      cacheControl: immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
  }
}

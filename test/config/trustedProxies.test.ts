import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/configSchema.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';

const d = mkdtempSync(join(tmpdir(), 'qts-config-proxies-'));

function load(env: NodeJS.ProcessEnv): AppConfig {
  return loadConfig({ strategiesDir: join(d, 'none'), env: { QTS_CONFIG: EMPTY_CONFIG, ...env } });
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isQtsError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('no error');
}

describe('api.trustedProxies and dashboard.trustedProxies', () => {
  it('default to loopback: the dashboard or an nginx on the engine host', () => {
    const cfg = load({});
    expect(cfg.api.trustedProxies).toEqual(['127.0.0.1', '::1']);
    expect(cfg.dashboard.trustedProxies).toEqual(['127.0.0.1', '::1']);
  });

  it('API_TRUSTED_PROXIES / DASHBOARD_TRUSTED_PROXIES set them (comma-separated); none is the empty list', () => {
    const cfg = load({ API_TRUSTED_PROXIES: ' 10.0.0.0/8, ::1 ', DASHBOARD_TRUSTED_PROXIES: '192.168.1.5' });
    expect(cfg.api.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(cfg.dashboard.trustedProxies).toEqual(['192.168.1.5']);
    expect(load({ API_TRUSTED_PROXIES: 'none' }).api.trustedProxies).toEqual([]);
    expect(load({ DASHBOARD_TRUSTED_PROXIES: 'NONE' }).dashboard.trustedProxies).toEqual([]);
  });

  it('a bad entry is a config error naming the entry, its place and the variable', () => {
    expect(errorOf(() => load({ API_TRUSTED_PROXIES: '10.0.0.0/8,nginx.local' }))).toBe(
      'ERR_CONFIG: invalid configuration: api.trustedProxies.1: "nginx.local" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, ::1, fd00::/8) (from API_TRUSTED_PROXIES)',
    );
    expect(errorOf(() => load({ DASHBOARD_TRUSTED_PROXIES: '10.0.0.0/33' }))).toMatch(
      /^ERR_CONFIG: invalid configuration: dashboard\.trustedProxies\.0: "10\.0\.0\.0\/33" is not an IP address or CIDR range .*\(from DASHBOARD_TRUSTED_PROXIES\)$/,
    );
  });

  it('in the config file too, named by the file', () => {
    const file = join(d, 'qts.json');
    writeFileSync(file, JSON.stringify({ api: { trustedProxies: ['127.0.0.1', '*'] } }));
    expect(errorOf(() => loadConfig({ file, strategiesDir: join(d, 'none'), env: {} }))).toBe(
      `ERR_CONFIG: invalid configuration: api.trustedProxies.1: "*" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, ::1, fd00::/8) (in ${file})`,
    );
  });
});

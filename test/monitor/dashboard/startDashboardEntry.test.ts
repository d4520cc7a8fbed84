import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startDashboardEntry } from '../../../src/monitor/dashboard/startDashboardEntry.js';
import { EMPTY_CONFIG } from '../../support/emptyConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'qts-dashboard-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** Settings of the process, with no config file or strategy folder of the project read. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    QTS_CONFIG: EMPTY_CONFIG,
    QTS_STRATEGIES_DIR: join(dir, 'absent'),
    DASHBOARD_DIR: join(dir, 'web'),
    ...extra,
  };
}

describe('the web-dashboard entry (PM2 web-dashboard)', () => {
  it('reads .env like the engine entries: DASHBOARD_* set there take effect', async () => {
    const dotEnv = join(dir, 'dashboard.env');
    writeFileSync(dotEnv, 'DASHBOARD_PORT=0\nDASHBOARD_API_URL=http://127.0.0.1:3999\n');
    const out = sink();
    const started = await startDashboardEntry({ env: env(), dotEnvPath: dotEnv, stdout: out.stream });
    try {
      expect(started.code).toBe(0);
      expect(started.server?.port).not.toBe(8088);
      expect(out.text()).toMatch(
        /^web dashboard on http:\/\/127\.0\.0\.1:\d+\/ → API http:\/\/127\.0\.0\.1:3999,/,
      );
    } finally {
      await started.server?.close();
    }
  });

  it('a bad setting ends in one coded line naming it, exit code 2, no stack trace', async () => {
    const err = sink();
    const started = await startDashboardEntry({
      env: env({ DASHBOARD_PORT: 'eighty' }),
      dotEnvPath: join(dir, 'absent.env'),
      stderr: err.stream,
    });
    expect(started).toEqual({ code: 2 });
    expect(err.text()).toMatch(
      /^error ERR_CONFIG: invalid configuration: dashboard\.port: .*\(from DASHBOARD_PORT\)\n$/,
    );
  });

  it('a port already taken ends in ERR_DASHBOARD_LISTEN naming the port, exit code 2', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const err = sink();
    try {
      const started = await startDashboardEntry({
        env: env({ DASHBOARD_PORT: String(port) }),
        dotEnvPath: join(dir, 'absent.env'),
        stderr: err.stream,
      });
      expect(started).toEqual({ code: 2 });
      expect(err.text()).toMatch(
        new RegExp(
          `^error ERR_DASHBOARD_LISTEN: web dashboard cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`,
        ),
      );
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});

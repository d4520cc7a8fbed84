import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DailyFileStream } from '../../../src/monitor/DailyFileStream.js';
import { LogFiles } from '../../../src/monitor/LogFiles.js';
import { LogTail } from '../../../src/monitor/LogTail.js';
import { REDACTED, SecretRegistry } from '../../../src/monitor/SecretRegistry.js';
import { createLogger } from '../../../src/monitor/createLogger.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qts-logging-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** 2024-03-09T23:59:58Z */
const BEFORE_MIDNIGHT = Date.UTC(2024, 2, 9, 23, 59, 58);

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createLogger with daily files', () => {
  it('writes every level at or above LOG_LEVEL to trading-*.log, errors only to error-*.log, and rotates at UTC midnight', () => {
    const dir = tempDir();
    const clock = { t: BEFORE_MIDNIGHT };
    const files = new LogFiles({ dir, now: () => clock.t });
    const out = new Capture();
    const log = createLogger({
      level: 'info',
      format: 'pretty',
      destination: out,
      files,
      now: () => clock.t,
      secrets: new SecretRegistry(),
    });
    log.debug('below the level');
    log.info({ n: 1 }, 'first day info');
    log.error({ code: 'ERR_X' }, 'first day error');
    clock.t += 4_000; // 00:00:02 the next day
    log.warn('second day warning');
    log.fatal('second day fatal');
    files.close();

    expect(readdirSync(dir).sort()).toEqual([
      'error-2024-03-09.log',
      'error-2024-03-10.log',
      'trading-2024-03-09.log',
      'trading-2024-03-10.log',
    ]);
    const day1 = jsonLines(readFileSync(join(dir, 'trading-2024-03-09.log'), 'utf8'));
    expect(day1.map((l) => l['msg'])).toEqual(['first day info', 'first day error']);
    expect(day1[0]).toMatchObject({ level: 30, n: 1, time: new Date(BEFORE_MIDNIGHT).toISOString() });
    expect(jsonLines(readFileSync(join(dir, 'trading-2024-03-10.log'), 'utf8')).map((l) => l['msg'])).toEqual(
      ['second day warning', 'second day fatal'],
    );
    expect(jsonLines(readFileSync(join(dir, 'error-2024-03-09.log'), 'utf8')).map((l) => l['msg'])).toEqual([
      'first day error',
    ]);
    expect(jsonLines(readFileSync(join(dir, 'error-2024-03-10.log'), 'utf8')).map((l) => l['msg'])).toEqual([
      'second day fatal',
    ]);
    // The console got the readable format, not JSON.
    expect(out.text).toContain('first day info');
    expect(out.text.trimStart().startsWith('{')).toBe(false);
    expect(out.text).not.toContain('below the level');
  });

  it('honours a stricter level in the files too', () => {
    const dir = tempDir();
    const files = new LogFiles({ dir, now: () => BEFORE_MIDNIGHT });
    const log = createLogger({
      level: 'warn',
      format: 'json',
      destination: new Capture(),
      files,
      secrets: new SecretRegistry(),
    });
    log.info('not kept');
    log.warn('kept');
    files.close();
    const lines = jsonLines(readFileSync(files.paths().trading, 'utf8'));
    expect(lines.map((l) => l['msg'])).toEqual(['kept']);
  });

  it('keeps secrets out of every destination: fields by name at any depth, values anywhere', () => {
    const dir = tempDir();
    const secrets = new SecretRegistry();
    const canary = 'CANARY-log-secret-9d8e7f';
    secrets.register(canary);
    const files = new LogFiles({ dir, now: () => BEFORE_MIDNIGHT });
    const out = new Capture();
    const tail = new LogTail();
    const log = createLogger({ level: 'trace', format: 'json', destination: out, tail, files, secrets });
    log.info(
      { exchange: { apiKey: 'field-key-abcdef', a: { b: { c: { d: { secret: 'deep-secret-abcdef' } } } } } },
      'config',
    );
    log.error({ err: new Error(`request to /bot${canary}/sendMessage failed`) }, `failed with ${canary}`);
    log.warn(
      {
        headers: { authorization: 'Bearer header-token-abcdef' },
        url: `https://x/?key=${encodeURIComponent(canary)}`,
      },
      'http',
    );
    log.info({ note: JSON.stringify({ nested: canary }) }, 'json inside json');
    log.child({ exchange: { apiKey: 'child-key-abcdef' } }).info('child logger bindings');
    files.close();

    const outputs = {
      stdout: out.text,
      trading: readFileSync(files.paths().trading, 'utf8'),
      error: readFileSync(files.paths().errors, 'utf8'),
      tail: JSON.stringify(tail.recent()),
    };
    for (const [where, text] of Object.entries(outputs)) {
      for (const s of [
        canary,
        'field-key-abcdef',
        'deep-secret-abcdef',
        'header-token-abcdef',
        'child-key-abcdef',
      ])
        expect(text, `${where} leaks ${s}`).not.toContain(s);
      expect(text, where).toContain(REDACTED);
    }
    // Redaction keeps the shape: what was redacted is still visible as such.
    const first = jsonLines(outputs.trading)[0] as {
      exchange: { apiKey: string; a: { b: { c: { d: { secret: string } } } } };
    };
    expect(first.exchange.apiKey).toBe(REDACTED);
    expect(first.exchange.a.b.c.d.secret).toBe(REDACTED);
  });
});

describe('DailyFileStream', () => {
  it('deletes its own series past retainDays, never other files', () => {
    const dir = tempDir();
    for (const name of [
      'trading-2024-03-01.log',
      'trading-2024-03-07.log',
      'error-2024-03-01.log',
      'notes.txt',
    ])
      writeFileSync(join(dir, name), 'x\n');
    const s = new DailyFileStream({ dir, prefix: 'trading', now: () => BEFORE_MIDNIGHT, retainDays: 3 });
    s.write('{"msg":"today"}\n');
    s.close();
    expect(readdirSync(dir).sort()).toEqual([
      'error-2024-03-01.log',
      'notes.txt',
      'trading-2024-03-07.log',
      'trading-2024-03-09.log',
    ]);
  });

  it('reports a failing disk once and never throws into the logger', () => {
    const dir = tempDir();
    symlinkSync('/dev/full', join(dir, 'trading-2024-03-09.log'));
    const errors: Error[] = [];
    const s = new DailyFileStream({
      dir,
      prefix: 'trading',
      now: () => BEFORE_MIDNIGHT,
      onError: (e) => errors.push(e),
    });
    expect(s.write('a\n')).toBe(true);
    expect(s.write('b\n')).toBe(true);
    expect(s.failures).toBe(2);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    s.close();
  });
});

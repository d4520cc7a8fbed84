/**
 * EngineFaults counts faults, not reports: an error is reported where it surfaced (the strategy's
 * call or the bar that sent the order) and again by the order journal that could not write it
 * (faultReportingJournal). The first report names the fault; the repeat log line counts it once.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EngineFaults } from '../../src/app/EngineFaults.js';
import { QtsError } from '../../src/core/QtsError.js';
import { simNode } from '../node/support/simNode.js';

describe('EngineFaults', () => {
  it('counts one error reported twice as one fault; trading halts at the first', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(String((JSON.parse(chunk.toString()) as { msg?: unknown }).msg));
        done();
      },
    });
    const { node } = simNode();
    let now = 0;
    const faults = new EngineFaults(node, pino({ level: 'error' }, sink), () => now);
    const full = new QtsError('ERR_DB_WRITE', 'order Q1: OrderSubmitted not journaled');
    faults.fault(full, 'onBar of strategy s (BTC/USDT 1970-01-01T00:01:00.000Z)');
    faults.fault(full, 'order Q1 of strategy s (OrderSubmitted BTC/USDT): not journaled');
    expect(node.risk.state).toBe('HALTED');
    now = 61_000;
    faults.fault(new QtsError('ERR_DB_WRITE', 'again'), 'BTC/USDT 1m bar');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ERR_ENGINE_FAULT: the engine failed processing onBar of strategy s /);
    expect(lines[1]).toMatch(/\(2 faults so far\)$/);
  });
});

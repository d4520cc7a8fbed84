import { describe, expect, it } from 'vitest';
import type { CandleColumns, CsvBody } from '../../src/data/parseCandleCsv.js';
import { parseCandleCsv, parseCandleCsvInto } from '../../src/data/parseCandleCsv.js';
import { caught } from './caught.js';

const BODY = '1000,1,2,0.5,1.5,10\n2000,1.5,2.5,1,2,11\n\n3000,2,3,1.5,2.5,12\n';

function body(bytes: Buffer): CsvBody {
  return { bytes, file: 'X.csv', layout: 'freqtrade', bodyStart: 0, headerLine: 1, adjusted: false };
}

function columns(rows: number): CandleColumns {
  const col = (): Float64Array => new Float64Array(rows).fill(-1);
  return { ts: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
}

describe('parseCandleCsvInto', () => {
  it('writes the rows parseCandleCsv reads, from the given row on, and says how many there are', () => {
    const bytes = Buffer.from(BODY);
    const whole = parseCandleCsv(body(bytes));
    const into = columns(5);
    expect(parseCandleCsvInto(body(bytes), into, 2)).toBe(5);
    expect([...into.ts]).toEqual([-1, -1, 1000, 2000, 3000]);
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const)
      expect([...into[k].subarray(2)]).toEqual([...whole[k].subarray(0, whole.length)]);
  });

  it('returns -1 when the rows do not fit, and exactly filling is no overflow', () => {
    const bytes = Buffer.from(BODY);
    expect(parseCandleCsvInto(body(bytes), columns(2), 0)).toBe(-1);
    expect(parseCandleCsvInto(body(bytes), columns(3), 0)).toBe(3);
  });

  it('throws the same coded error for a malformed row', () => {
    const bytes = Buffer.from('1000,1,2,0.5,1.5,10\n2000,1,x,1,1,1\n');
    const e = caught(() => parseCandleCsvInto(body(bytes), columns(4), 0));
    expect(e.code).toBe('ERR_DATA_PARSE');
    expect(e.message).toContain('X.csv:3:');
  });
});

import { describe, expect, it } from 'vitest';
import { parseParams } from '../../src/cli/parseParams.js';
import { caught } from '../data/caught.js';

describe('parseParams (the --params option)', () => {
  it('reads numbers, booleans and strings', () => {
    expect(parseParams('fast=10, slow=30.5,short=true,mode=upper')).toEqual({
      fast: 10,
      slow: 30.5,
      short: true,
      mode: 'upper',
    });
    expect(parseParams(undefined)).toEqual({});
    expect(parseParams('  ')).toEqual({});
  });

  it('reads decimal numbers only: hex, binary and octal forms stay text for the schema to refuse', () => {
    expect(parseParams('a=-1.5e3,b=.5,c=+2,d=7.')).toEqual({ a: -1500, b: 0.5, c: 2, d: 7 });
    expect(parseParams('fast=0x10,slow=0b11,x=0o7')).toEqual({ fast: '0x10', slow: '0b11', x: '0o7' });
  });

  it('refuses a part without a name or an equals sign', () => {
    expect(caught(() => parseParams('fast')).message).toBe('parameter "fast" is not of the form name=value');
    expect(caught(() => parseParams('=3')).code).toBe('ERR_INVALID_PARAMS');
  });

  it('refuses a name given twice instead of keeping the last silently', () => {
    const e = caught(() => parseParams('fast=5,slow=20,fast=6'));
    expect(e.code).toBe('ERR_INVALID_PARAMS');
    expect(e.message).toBe('parameter "fast" is given twice: which one is meant?');
  });
});

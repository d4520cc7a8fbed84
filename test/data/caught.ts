import { QtsError } from '../../src/core/QtsError.js';

/** The QtsError `fn` throws; fails the test when it throws nothing or something else. */
export function caught(fn: () => unknown): QtsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof QtsError) return e;
    throw new Error(`expected a QtsError, got ${String(e)}`);
  }
  throw new Error('expected a QtsError, nothing was thrown');
}

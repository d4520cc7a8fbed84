import { resolve } from 'node:path';

/**
 * A main config file with nothing in it: QTS_CONFIG for a test that wants every default. A
 * QTS_CONFIG naming a missing file refuses to start (ERR_CONFIG_FILE), so "no file" is this.
 */
export const EMPTY_CONFIG = resolve(import.meta.dirname, '../fixtures/config/empty.json');

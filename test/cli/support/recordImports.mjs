// Preloaded with `node --import` by cliStartup.test.ts: registers resolve hooks that append
// every resolved module URL to the file named by QTS_IMPORT_LOG (hooks run on their own
// thread, so they write to a file rather than to the test's stdout).
import { register } from 'node:module';

register(new URL('./importLogHooks.mjs', import.meta.url), { data: { file: process.env.QTS_IMPORT_LOG } });

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';

/**
 * A thread running the module `name` (no extension) that sits beside the module at `self`
 * (its `import.meta.url`): the compiled .js under dist/, or, from the TypeScript sources (tsx,
 * vitest), the .ts file once the thread has registered tsx's loader, which Node 20 threads
 * do not inherit.
 */
export function siblingWorker(self: string, name: string, options: WorkerOptions): Worker {
  if (!self.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, self), options);
  // tsx's ESM API (the .mjs build: its .cjs twin resolves its loader wrongly when imported).
  const api = createRequire(self)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL(`./${name}.ts`, self).href;
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { ...options, eval: true });
}

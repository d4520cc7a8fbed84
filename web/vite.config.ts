import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard build: web/ → dist/web (git-ignored), served by the engine at / and by the
 * standalone web-dashboard server. `npm run dev:web` proxies /api and /ws to a local engine.
 */
const config: UserConfig = {
  root: webRoot,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/ws': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
};

export default config;

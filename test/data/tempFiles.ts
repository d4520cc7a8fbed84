import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private temp folder for one test file; `write` puts a file in it, `remove` deletes it all. */
export function tempFiles(prefix: string): {
  dir: string;
  write(name: string, content: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), `qts-${prefix}-`));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { vi } from 'vitest';
import { main } from '../../src/cli/program.js';

/**
 * Exit code and stderr of one `qts` run inside the test process (stdout dropped): far quicker
 * than spawning the binary, for checks of option parsing. Call `vi.restoreAllMocks()` after
 * each test (it mocks the process's stdout and stderr writes).
 */
export async function qtsInProcess(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await main(['node', 'qts', ...args]);
  return { code, stderr };
}

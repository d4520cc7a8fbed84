/**
 * The progress bar of long backtests. The run is synchronous, so Ctrl-C ends the process by the
 * signal's default action: no handler of ours (nor cli-progress's) gets to restore a terminal
 * state the bar changed. A bar that hid the cursor and turned off line wrapping left the user's
 * shell without a cursor and with lines cut at the screen's edge.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';

afterEach(() => vi.restoreAllMocks());

/** What createProgress writes to stderr, with stderr taken for a terminal. */
function barOutput(run: () => void): string {
  let out = '';
  const wasTTY = process.stderr.isTTY;
  process.stderr.isTTY = true;
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    run();
  } finally {
    process.stderr.isTTY = wasTTY;
  }
  return out;
}

describe('createProgress', () => {
  it('shows nothing for a short run', () => {
    expect(barOutput(() => expect(createProgress(10)).toBeUndefined())).toBe('');
  });

  it('on a terminal draws the bar without hiding the cursor or turning off line wrapping, so a Ctrl-C mid-run leaves the shell intact', () => {
    const out = barOutput(() => {
      const bar = createProgress(1_000, 100);
      expect(bar).toBeDefined();
      // Killed here (SIGINT) in a real run: nothing after this point is ever written.
      bar?.update(500, 1_000);
      bar?.stop();
    });
    expect(out).toContain('bars');
    expect(out).not.toContain('\u001b[?25l');
    expect(out).not.toContain('\u001b[?7l');
  });

  it('draws nothing when stderr is no terminal (a pipe, a CI log)', () => {
    let out = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const wasTTY = process.stderr.isTTY;
    process.stderr.isTTY = false;
    try {
      const bar = createProgress(1_000, 100);
      bar?.update(500, 1_000);
      bar?.stop();
    } finally {
      process.stderr.isTTY = wasTTY;
    }
    expect(out).toBe('');
  });
});

import type { Reporter, TestModule } from 'vitest/node';

/**
 * Lists every skipped test at the end of a run, and in CI (CI=true) turns any skip into a
 * failure: there, a suite skipped for want of a service or data file means the pipeline
 * did not install it, and a green run would hide that.
 */
export default class SkipGuardReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const skipped: string[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        if (t.result().state === 'skipped')
          skipped.push(`${m.moduleId.split('/test/')[1] ?? m.moduleId} › ${t.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(
      `\nskipped tests (${skipped.length}):\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`,
    );
    if (process.env['CI'] === 'true' || process.env['CI'] === '1') {
      process.stderr.write('CI=true: a skipped test is a failure (install what it needs in .ci/run)\n');
      process.exitCode = 1;
    }
  }
}

import { main } from './program.js';

// A reader that stops early (`qts strategies | head`) closes the pipe: the rest of the output
// has no one to read it, and the command still finishes its work (a report file after the
// summary) instead of dying on the write with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

// Entry of the `qts` binary.
process.exitCode = await main(process.argv);

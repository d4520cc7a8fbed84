import { main } from './program.js';

// Entry of the `qts` binary.
process.exitCode = await main(process.argv);

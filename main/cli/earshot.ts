#!/usr/bin/env node
/** Entry point of the `earshot` command (package.json "bin"). */
import { guardOutput } from './guarded-output.js';
import { main } from './main.js';

// Guarded first, so even an early failed write (a reader that already quit) cannot crash the run.
const stdout = guardOutput(process.stdout);
const stderr = guardOutput(process.stderr);

/** SIGHUP (terminal closed, ssh dropped) ends the run like Ctrl+C: the transcript is kept. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// A closing terminal may hang up more than once, and the last one can land after the run has
// stopped listening, while --out is written or output drains: with no listener at all, Node
// would die of it there. The run's own handlers decide what a hang-up means; this one only
// keeps a late one from killing the process.
process.on('SIGHUP', () => undefined);

const code = await main(process.argv.slice(2), {
  stdout,
  stderr,
  env: process.env,
  onSignal(handler) {
    const listeners = STOP_SIGNALS.map((signal) => {
      const listener = () => handler(signal);
      process.on(signal, listener);
      return [signal, listener] as const;
    });
    return () => {
      for (const [signal, listener] of listeners) process.off(signal, listener);
    };
  },
});
// Let stdout drain (unless it is gone), then exit even if a native audio handle lingers.
await Promise.all([stdout.drain(), stderr.drain()]);
process.exit(code);

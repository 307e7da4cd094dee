#!/usr/bin/env node
/** Entry point of the `earshot` command (package.json "bin"). */
import { guardOutput } from './guarded-output.js';
import { main } from './main.js';

// Guarded first, so even an early failed write (a reader that already quit) cannot crash the run.
const stdout = guardOutput(process.stdout);
const stderr = guardOutput(process.stderr);

/** SIGHUP (terminal closed, ssh dropped) ends the run like Ctrl+C: the transcript is kept. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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

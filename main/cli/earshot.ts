#!/usr/bin/env node
/** Entry point of the `earshot` command (package.json "bin"). */
import { main } from './main.js';

const out = (stream: NodeJS.WriteStream) => ({
  write: (text: string) => void stream.write(text),
  get isTTY() {
    return Boolean(stream.isTTY);
  },
  get columns() {
    return stream.columns ?? 80;
  },
});

const code = await main(process.argv.slice(2), {
  stdout: out(process.stdout),
  stderr: out(process.stderr),
  env: process.env,
  onSignal(handler) {
    const onInt = () => handler('SIGINT');
    const onTerm = () => handler('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  },
});
// Let stdout drain, then exit even if a native audio handle lingers.
process.stdout.write('', () => process.exit(code));

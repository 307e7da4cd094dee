/**
 * The `earshot` command's top level: parse, dispatch, and turn any failure into a message
 * a person can act on plus an exit status (0 ok, 1 failed, 2 usage).
 */
import { readFileSync } from 'node:fs';
import { EarshotError, toErrorInfo, type ErrorCode } from '../../shared/errors.js';
import { safeText } from '../../shared/safe-text.js';
import { parseCli, USAGE } from './args.js';
import { runDevices } from './run-devices.js';
import { runTranscribe } from './run-transcribe.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, runCaption, type CliIo } from './run-caption.js';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const cmd = parseCli(argv);
    switch (cmd.command) {
      case 'help':
        io.stdout.write(USAGE);
        return EXIT_OK;
      case 'version':
        io.stdout.write(`${version()}\n`);
        return EXIT_OK;
      case 'devices':
        return await runDevices(cmd.json, io);
      case 'caption':
        return await runCaption(cmd, io);
      case 'transcribe':
        return await runTranscribe(cmd, io);
    }
  } catch (err) {
    const info = toErrorInfo(err);
    const text = err instanceof EarshotError ? err.message : `${info.message} (${info.detail ?? ''})`;
    io.stderr.write(`earshot: ${safeText(text)}\n`);
    return USAGE_ERRORS.has(info.code) ? EXIT_USAGE : EXIT_FAILED;
  }
}

/** Mistakes in the command line itself, found before anything is sent: exit 2. */
const USAGE_ERRORS: ReadonlySet<ErrorCode> = new Set(['BAD_ARGUMENT', 'ENDPOINT_INVALID', 'SPEAKERS_UNSUPPORTED']);

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    return `earshot ${pkg.version}`;
  } catch {
    return 'earshot';
  }
}

/**
 * `--out` is checked before any audio is sent: finding out at the end of an hour's session
 * that the folder was missing, that the path was a folder, or that the transcript replaced
 * the recording it came from, is how people lose work. The check does what the saver will
 * do (create a file in the folder, then rename it over the target), so it fails for the same
 * reasons the real write would, whoever runs it (root ignores permission bits).
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { access, open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EarshotError } from '../../shared/errors.js';

function bad(detail: string): never {
  throw new EarshotError('BAD_ARGUMENT', detail, `${detail}.`);
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: a file on the way is used as a folder; the folder check below names it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied'
    : e.code === 'EROFS' ? 'the file system is read-only'
      : e.code === 'ENOSPC' ? 'the disk is full'
        : e instanceof Error ? e.message : String(e);
}

/**
 * Throws BAD_ARGUMENT (exit 2) when `out` cannot hold the transcript, or no `format` was
 * given or named by the extension. `inputFile` is the WAV
 * being captioned, if any: writing over it would destroy the recording.
 */
export async function checkOutputPath(out: string, format: string | undefined, inputFile?: string): Promise<void> {
  const path = resolve(out);
  const folder = dirname(path);
  const target = await statOrNull(path).catch((err: unknown) => bad(`--out ${out} cannot be used: ${reason(err)}`));
  if (target?.isDirectory()) bad(`--out ${out} is a folder; give a file name, e.g. ${join(out, 'transcript.json')}`);
  if (target && !target.isFile()) bad(`--out ${out} is not a regular file; give the path of a file to create or replace`);
  if (target && inputFile) {
    const input = await statOrNull(resolve(inputFile)).catch(() => null);
    if (input && input.dev === target.dev && input.ino === target.ino) {
      bad(`--out ${out} is the audio file being captioned; writing the transcript there would destroy the recording`);
    }
  }
  const dir = await statOrNull(folder).catch((err: unknown) => bad(`--out folder ${folder} cannot be used: ${reason(err)}`));
  if (!dir) bad(`--out folder ${folder} does not exist; create it first or pick another path`);
  if (!dir.isDirectory()) bad(`--out ${out}: ${folder} is not a folder`);
  if (target) await access(path, constants.W_OK).catch((err: unknown) => bad(`--out ${out} cannot be written: ${reason(err)}`));
  if (!format) bad(`Cannot tell the transcript format from "${out}"; use an extension .json, .srt, .vtt or .txt, or pass --format`);
  // The saver writes a temporary file next to the target and renames it into place.
  const probe = join(folder, `.${basename(path)}.${randomBytes(4).toString('hex')}.check`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
  } catch (err) {
    bad(`--out ${out} cannot be written in ${folder}: ${reason(err)}`);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

/**
 * Small JSON files in the app's data folder, written atomically (temp file, fsync, rename)
 * so a crash mid-write leaves either the old file or the new one, never half of each.
 * Synchronous on purpose: the files are a few KB and written on user actions only.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type ReadResult =
  | { kind: 'missing' }
  | { kind: 'ok'; value: unknown }
  | { kind: 'corrupt'; detail: string };

export function readJsonFile(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'corrupt', detail: (err as Error).message };
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) };
  } catch (err) {
    return { kind: 'corrupt', detail: (err as Error).message };
  }
}

export function writeJsonFileAtomic(path: string, value: unknown, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Moves a damaged file aside so the person (or a bug report) still has it. Returns the new path. */
export function backUpFile(path: string, stamp: string): string | null {
  const target = `${path}.corrupt-${stamp}`;
  try {
    renameSync(path, target);
    return target;
  } catch {
    return null;
  }
}

/**
 * History journal: one JSON line per final segment (and per run start/end), written with
 * one write() each on a descriptor kept open, so once `append` returns the line is in the
 * OS and survives the process being killed. Replay tolerates a torn last line (power loss,
 * full disk) and repeated ids (a corrected final segment is appended again; last wins).
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { compareSegments, type Segment } from '../../shared/captions.js';
import { EarshotError } from '../../shared/errors.js';

export type JournalRecord =
  | { type: 'run-start'; at: string; info?: Record<string, string | number | boolean> }
  | { type: 'run-end'; at: string }
  /** Facts learnt during a run (the language the service heard), merged into its info. */
  | { type: 'run-info'; info: Record<string, string | number | boolean> }
  | { type: 'segment'; id: string; text: string; start: number; end: number; speaker?: string; source?: string; label?: string }
  | { type: 'remove'; id: string };

export interface JournalRun {
  /** ISO time of the run-start marker; '' when the journal began without one. */
  startedAt: string;
  endedAt?: string;
  info?: Record<string, string | number | boolean>;
  /** Final segments of this run in display order (times restart at 0 each run). */
  segments: Segment[];
}

export interface JournalReplay {
  runs: JournalRun[];
  /** All runs' segments, oldest run first. */
  segments: Segment[];
  /** Lines that were not valid records (a torn last line counts here). */
  skippedLines: number;
}

export class HistoryJournal {
  private fd: number | undefined;

  private constructor(fd: number, readonly path: string) {
    this.fd = fd;
  }

  /** Opens (creating if needed) for appending. Throws OUTPUT_FAILED naming the path. */
  static open(path: string): HistoryJournal {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'a+'); // a+: writes always append; the read checks the last byte
      const journal = new HistoryJournal(fd, path);
      // A torn line left by a crash must not swallow the next record.
      if (!endsWithNewline(fd)) journal.writeLine('');
      return journal;
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      throw outputFailed(path, err);
    }
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  append(segment: Segment): void {
    this.write({
      type: 'segment', id: segment.id, text: segment.text.trim(), start: segment.start, end: segment.end,
      ...(segment.speaker ? { speaker: segment.speaker } : {}),
      ...(segment.source !== undefined ? { source: segment.source } : {}),
      ...(segment.label ? { label: segment.label } : {}),
    });
  }

  appendRemoval(id: string): void {
    this.write({ type: 'remove', id });
  }

  startRun(at: Date, info?: Record<string, string | number | boolean>): void {
    this.write(info ? { type: 'run-start', at: at.toISOString(), info } : { type: 'run-start', at: at.toISOString() });
  }

  noteRunInfo(info: Record<string, string | number | boolean>): void {
    this.write({ type: 'run-info', info });
  }

  endRun(at: Date): void {
    this.write({ type: 'run-end', at: at.toISOString() });
  }

  /** Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Closing is best effort: every line was already handed to the OS.
    }
  }

  private write(record: JournalRecord): void {
    if (this.fd === undefined) throw new EarshotError('OUTPUT_FAILED', `${this.path}: the history journal is closed`);
    try {
      this.writeLine(JSON.stringify(record));
    } catch (err) {
      throw outputFailed(this.path, err);
    }
  }

  private writeLine(line: string): void {
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done);
  }
}

/** Rebuilds the history from journal text. Never throws on bad lines. */
export function replayJournal(text: string): JournalReplay {
  const runs: { run: JournalRun; byId: Map<string, Segment> }[] = [];
  let skippedLines = 0;
  const newRun = (run: JournalRun) => {
    runs.push({ run, byId: new Map() });
    return runs[runs.length - 1];
  };
  const currentRun = () => runs[runs.length - 1] ?? newRun({ startedAt: '', segments: [] });
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (!record) {
      skippedLines++;
      continue;
    }
    switch (record.type) {
      case 'run-start':
        newRun(record.info ? { startedAt: record.at, info: record.info, segments: [] } : { startedAt: record.at, segments: [] });
        break;
      case 'run-end':
        currentRun().run.endedAt = record.at;
        break;
      case 'run-info': {
        const run = currentRun().run;
        run.info = { ...run.info, ...record.info };
        break;
      }
      case 'segment':
        currentRun().byId.set(record.id, {
          id: record.id, text: record.text, start: record.start, end: record.end, final: true,
          ...(record.speaker ? { speaker: record.speaker } : {}),
          ...(record.source !== undefined ? { source: record.source } : {}),
          ...(record.label ? { label: record.label } : {}),
        });
        break;
      case 'remove':
        currentRun().byId.delete(record.id);
        break;
    }
  }
  for (const { run, byId } of runs) run.segments = [...byId.values()].sort(compareSegments);
  return { runs: runs.map((r) => r.run), segments: runs.flatMap((r) => r.run.segments), skippedLines };
}

/** Reads and replays a journal file; a missing file is an empty history. */
export async function readJournal(path: string): Promise<JournalReplay> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], segments: [], skippedLines: 0 };
    throw new EarshotError('FILE_NOT_FOUND', `${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return replayJournal(text);
}

function parseRecord(line: string): JournalRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  switch (r.type) {
    case 'segment':
      return typeof r.id === 'string' && typeof r.text === 'string' && Number.isFinite(r.start) && Number.isFinite(r.end)
        ? {
          type: 'segment', id: r.id, text: r.text, start: r.start as number, end: r.end as number,
          ...(typeof r.speaker === 'string' && r.speaker ? { speaker: r.speaker } : {}),
          ...(typeof r.source === 'string' ? { source: r.source } : {}),
          ...(typeof r.label === 'string' && r.label ? { label: r.label } : {}),
        }
        : null;
    case 'remove':
      return typeof r.id === 'string' ? { type: 'remove', id: r.id } : null;
    case 'run-start':
      if (typeof r.at !== 'string') return null;
      return isInfo(r.info) ? { type: 'run-start', at: r.at, info: r.info } : { type: 'run-start', at: r.at };
    case 'run-end':
      return typeof r.at === 'string' ? { type: 'run-end', at: r.at } : null;
    case 'run-info':
      return isInfo(r.info) ? { type: 'run-info', info: r.info } : null;
    default:
      return null;
  }
}

function isInfo(v: unknown): v is Record<string, string | number | boolean> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    && Object.values(v).every((x) => ['string', 'number', 'boolean'].includes(typeof x));
}

function endsWithNewline(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

function outputFailed(path: string, err: unknown): EarshotError {
  if (err instanceof EarshotError) return err;
  return new EarshotError('OUTPUT_FAILED', `${path}: ${err instanceof Error ? err.message : String(err)}`);
}

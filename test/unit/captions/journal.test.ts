import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../../shared/captions.js';
import { EarshotError } from '../../../shared/errors.js';
import { HistoryJournal, readJournal, replayJournal } from '../../../main/captions/journal.js';

const seg = (id: string, start: number, text = `t${id}`): Segment => ({ id, text, start, end: start + 0.5, final: true });
const tempDir = () => mkdtempSync(join(tmpdir(), 'earshot-journal-'));

describe('history journal', () => {
  it('round-trips runs, segments, corrections and removals', async () => {
    const path = join(tempDir(), 'history.jsonl');
    const j = HistoryJournal.open(path);
    j.startRun(new Date('2025-01-02T03:04:05Z'), { source: 'mic', provider: 'fireworks' });
    j.append(seg('1:0', 0));
    j.append(seg('1:2', 2));
    j.append({ ...seg('1:1', 1), text: '  padded  ' });
    j.append({ ...seg('1:0', 0), text: 'corrected' });
    j.appendRemoval('1:2');
    j.endRun(new Date('2025-01-02T03:05:00Z'));
    j.close();
    j.close();
    expect(j.isOpen).toBe(false);
    expect(() => j.append(seg('x', 9))).toThrow(EarshotError);

    const replay = await readJournal(path);
    expect(replay.skippedLines).toBe(0);
    expect(replay.runs).toEqual([{
      startedAt: '2025-01-02T03:04:05.000Z',
      endedAt: '2025-01-02T03:05:00.000Z',
      info: { source: 'mic', provider: 'fireworks' },
      segments: [{ ...seg('1:0', 0), text: 'corrected' }, { ...seg('1:1', 1), text: 'padded' }],
    }]);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(7);
  });

  it('keeps who spoke, and ignores a speaker that is not text', async () => {
    const path = join(tempDir(), 'history.jsonl');
    const j = HistoryJournal.open(path);
    j.startRun(new Date('2025-01-02T03:04:05Z'), { kind: 'file', file: 'meeting.wav' });
    j.append({ ...seg('1', 0), speaker: 'Speaker A' });
    j.append(seg('2', 1));
    j.close();
    appendFileSync(path, `${JSON.stringify({ type: 'segment', id: '3', text: 't3', start: 2, end: 2.5, speaker: 7 })}\n`);
    const replay = await readJournal(path);
    expect(replay.runs[0]!.segments).toEqual([{ ...seg('1', 0), speaker: 'Speaker A' }, seg('2', 1), seg('3', 2)]);
  });

  it('keeps each meeting line\'s source and label', async () => {
    const path = join(tempDir(), 'history.jsonl');
    const j = HistoryJournal.open(path);
    j.startRun(new Date('2025-01-02T03:04:05Z'), { kind: 'mic' });
    j.append({ ...seg('0:1', 0), source: 'mic', label: 'You' });
    j.append({ ...seg('1:1', 1), source: 'system', label: 'Speaker B', speaker: 'Speaker B' });
    j.close();
    appendFileSync(path, `${JSON.stringify({ type: 'segment', id: '1:2', text: 't', start: 2, end: 2.5, source: 3, label: ['x'] })}\n`);
    const replay = await readJournal(path);
    expect(replay.runs[0]!.segments).toEqual([
      { ...seg('0:1', 0), source: 'mic', label: 'You' },
      { ...seg('1:1', 1), source: 'system', label: 'Speaker B', speaker: 'Speaker B' },
      { ...seg('1:2', 2, 't') },
    ]);
  });

  it('keeps runs apart (ids and times restart each run) and appends across opens', async () => {
    const path = join(tempDir(), 'h.jsonl');
    for (const at of ['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z']) {
      const j = HistoryJournal.open(path);
      j.startRun(new Date(at));
      j.append(seg('1:0', 0, at));
      j.close();
    }
    const replay = await readJournal(path);
    expect(replay.runs.map((r) => r.segments.map((s) => s.text))).toEqual([['2025-01-01T00:00:00Z'], ['2025-01-02T00:00:00Z']]);
    expect(replay.segments).toHaveLength(2);
  });

  it('replay tolerates a torn last line, garbage and segments before any run marker', () => {
    const good = JSON.stringify({ type: 'segment', id: 'a', text: 'A', start: 0, end: 1 });
    const replay = replayJournal(`${good}\nnot json\n{"type":"segment","id":"b"}\n{"type":"segment","id":"c","te`);
    expect(replay.skippedLines).toBe(3);
    expect(replay.runs).toEqual([{ startedAt: '', segments: [{ id: 'a', text: 'A', start: 0, end: 1, final: true }] }]);
    expect(replayJournal('')).toEqual({ runs: [], segments: [], skippedLines: 0 });
  });

  it('a torn tail from a crash does not swallow the next record', async () => {
    const path = join(tempDir(), 'h.jsonl');
    writeFileSync(path, `${JSON.stringify({ type: 'segment', id: 'a', text: 'A', start: 0, end: 1 })}\n`);
    appendFileSync(path, '{"type":"segment","id":"torn","text":"hal');
    const j = HistoryJournal.open(path);
    j.append(seg('b', 2));
    j.close();
    const replay = await readJournal(path);
    expect(replay.segments.map((s) => s.id)).toEqual(['a', 'b']);
    expect(replay.skippedLines).toBe(1);
  });

  it('reading a missing journal is an empty history; opening in a missing folder is OUTPUT_FAILED', async () => {
    const dir = tempDir();
    expect(await readJournal(join(dir, 'none.jsonl'))).toEqual({ runs: [], segments: [], skippedLines: 0 });
    const path = join(dir, 'no', 'such', 'h.jsonl');
    expect(() => HistoryJournal.open(path)).toThrow(expect.objectContaining({ code: 'OUTPUT_FAILED', message: expect.stringContaining(path) }));
  });

  it('a writer killed with SIGKILL loses nothing it had acknowledged', async () => {
    const dir = tempDir();
    const journalJs = join(dir, 'journal.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../../../main/captions/journal.ts', import.meta.url))],
      bundle: true, platform: 'node', format: 'esm', outfile: journalJs, logLevel: 'silent',
    });
    const writer = join(dir, 'writer.mjs');
    writeFileSync(writer, `
      import { HistoryJournal } from ${JSON.stringify(journalJs)};
      const j = HistoryJournal.open(process.argv[2]);
      j.startRun(new Date(0));
      let i = 0;
      const text = 'word '.repeat(40).trim();
      (function loop() {
        for (let k = 0; k < 20; k++, i++) {
          j.append({ id: '1:' + i, text, start: i, end: i + 0.9, final: true });
          process.stdout.write(i + '\\n'); // acknowledged: append() has returned
        }
        setImmediate(loop);
      })();
    `);
    const path = join(dir, 'history.jsonl');
    const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolve());
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) acked = Number(line);
        if (acked >= 2000 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
    });
    expect(child.signalCode).toBe('SIGKILL');
    const replay = await readJournal(path);
    const ids = replay.segments.map((s) => Number(s.id.slice(2)));
    // Every acknowledged segment is there, in order, once; the file may hold a few more
    // (written but not yet acknowledged on stdout) and nothing torn mid-line.
    expect(ids.length).toBeGreaterThan(acked);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i));
    expect(replay.skippedLines).toBe(0);
  });
});

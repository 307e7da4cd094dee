import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../../../main/app/history-recorder.js';
import { HistoryService } from '../../../main/app/history-service.js';
import type { PipelineEvents } from '../../../main/app/pipeline-port.js';
import type { CaptionDiff, Segment } from '../../../shared/captions.js';

const seg = (id: string, text: string, final: boolean, start = 0, end = start + 1): Segment => ({ id, text, start, end, final });
const diff = (rev: number, upserts: Segment[], removals: string[] = []): CaptionDiff => ({ rev, upserts, removals });

describe('HistoryRecorder', () => {
  it('records finals once, corrections again, never partials, and withdrawn finals as removals', () => {
    const log: string[] = [];
    const r = new HistoryRecorder({ append: (s) => log.push(`+${s.id}:${s.text}`), appendRemoval: (id) => log.push(`-${id}`) });
    r.apply(diff(1, [seg('a', 'hel', false)]));
    r.apply(diff(2, [seg('a', 'hello', true)]));
    r.apply(diff(3, [seg('a', 'hello', true), seg('b', ' ', true)]));
    r.apply(diff(4, [seg('a', 'Hello.', true)]));
    r.apply(diff(5, [], ['a', 'never-recorded']));
    expect(log).toEqual(['+a:hello', '+a:Hello.', '-a']);
  });

  it('stays bounded', () => {
    let n = 0;
    const r = new HistoryRecorder({ append: () => n++, appendRemoval: () => {} }, { maxTracked: 10 });
    for (let i = 0; i < 100; i++) r.apply(diff(i + 1, [seg(`s${i}`, `t${i}`, true)]));
    expect(n).toBe(100);
    expect((r as unknown as { recorded: Map<string, string> }).recorded.size).toBe(10);
  });
});

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'earshot-history-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(finals: Segment[] = [], kept: Record<string, number> = {}) {
  const listeners = new Set<(d: CaptionDiff) => void>();
  const sent: Segment[][] = [];
  const errors: string[] = [];
  const exported: { format: string; name: string }[] = [];
  let exportPath: string | null = join(dir, 'out.srt');
  let minute = 0;
  const service = new HistoryService({
    dir,
    pipeline: {
      on: <K extends keyof PipelineEvents>(_e: K, l: (p: PipelineEvents[K]) => void) => { listeners.add(l as never); return () => listeners.delete(l as never); },
      finals: () => finals,
    },
    send: (_page, _channel, payload) => sent.push(payload as Segment[]),
    chooseExportPath: async (format, name) => { exported.push({ format, name }); return exportPath; },
    now: () => new Date(Date.UTC(2025, 0, 2, 10, minute++)),
    onError: (m) => errors.push(m),
    keptAudioSeconds: (id) => kept[id] ?? null,
  });
  const emit = (d: CaptionDiff) => { for (const l of listeners) l(d); };
  return { service, emit, sent, errors, exported, setExportPath: (p: string | null) => { exportPath = p; } };
}

describe('HistoryService', () => {
  it('with history off: writes nothing and shows this session\'s finals', async () => {
    const finals = [seg('1', 'only in memory', true)];
    const t = setup(finals);
    t.service.startRun({ provider: 'fireworks' });
    t.emit(diff(1, finals));
    expect(t.sent).toEqual([finals]); // the open window still updates live
    const view = await t.service.view();
    expect(view).toMatchObject({ enabled: false, segments: [{ ...finals[0], id: '0/1' }] });
    expect(() => readFileSync(t.service.journalPath)).toThrow();
  });

  it('a transcribed recording is a run of its own, with its speakers, in memory or in the journal', async () => {
    const file = [{ ...seg('1', 'Hello from the file.', true, 0, 2), speaker: 'Speaker A' }, { ...seg('2', 'Hi.', true, 2.5, 3), speaker: 'Speaker B' }];
    const info = { kind: 'file', file: 'meeting.wav', task: 'transcribe' };
    const off = setup([seg('1', 'live words', true)]);
    off.service.startRun({ provider: 'fireworks' });
    off.service.addFileTranscript(info, file);
    const view = await off.service.view();
    expect(view.runs).toEqual([{ startedAt: '2025-01-02T10:00:00.000Z', firstIndex: 0 }, { startedAt: '2025-01-02T10:01:00.000Z', firstIndex: 1, title: 'meeting.wav (transcribed)' }]);
    expect(view.segments.map((s) => [s.text, s.speaker])).toEqual([['live words', undefined], ['Hello from the file.', 'Speaker A'], ['Hi.', 'Speaker B']]);
    expect(off.sent.at(-1)).toHaveLength(2); // the open window reloads
    expect(() => readFileSync(off.service.journalPath)).toThrow(); // history off: nothing on disk

    const on = setup();
    on.service.setEnabled(true);
    on.service.addFileTranscript({ ...info, task: 'translate' }, file);
    on.service.dispose();
    const again = setup();
    again.service.setEnabled(true);
    const replayed = await again.service.view();
    expect(replayed.runs).toEqual([expect.objectContaining({ title: 'meeting.wav (translated)' })]);
    expect(replayed.segments.map((s) => s.speaker)).toEqual(['Speaker A', 'Speaker B']);
  });

  it('with history off, earlier runs of the session stay listed after a restart (source switch)', async () => {
    // The pipeline's finals are those of the current (or last) run, as RunPipeline's are.
    const finals = [seg('1:0', 'before the switch', true)];
    const t = setup(finals);
    t.service.startRun({ source: 'mic' });
    t.emit(diff(1, finals));
    t.service.endRun();
    // The next run's first diff clears the old captions from the overlay.
    t.emit(diff(2, [], ['1:0']));
    t.service.startRun({ source: 'system' });
    finals.splice(0, finals.length, seg('1:0', 'after the switch', true));
    t.emit(diff(3, finals));
    const view = await t.service.view();
    expect(view.segments.map((s) => s.text)).toEqual(['before the switch', 'after the switch']);
    expect(view.runs).toHaveLength(2);
  });

  it('with history on, a restart\'s clearing diff never removes the ended run from the journal', async () => {
    const t = setup();
    t.service.setEnabled(true);
    t.service.startRun({ source: 'mic' });
    t.emit(diff(1, [seg('1:0', 'said before the switch', true)]));
    t.service.endRun();
    // As AppController.restart does it: RunPipeline.start clears the old captions from the
    // overlay before the new run exists, and history.startRun follows once it has started.
    t.emit(diff(2, [], ['1:0']));
    t.service.startRun({ source: 'system' });
    t.emit(diff(3, [seg('1:0', 'said after', true)]));
    const view = await t.service.view();
    expect(view.segments.map((s) => s.text)).toEqual(['said before the switch', 'said after']);
    expect(readFileSync(t.service.journalPath, 'utf8')).not.toContain('"remove"');
  });

  it('offers Improve transcript for a session whose audio was kept; the improved one then takes its place', async () => {
    const t = setup([], { 's-1': 754 });
    t.service.setEnabled(true);
    t.service.startRun({ provider: 'fireworks', audio: 's-1' });
    t.emit(diff(1, [seg('1:0', 'hello wrld', true, 0, 2)]));
    t.service.endRun();
    t.service.startRun({ provider: 'fireworks', audio: 's-gone' }); // its audio was deleted
    t.emit(diff(2, [seg('1:0', 'later', true, 0, 1)]));
    t.service.endRun();
    expect((await t.service.view()).runs.map((r) => r.audio)).toEqual([{ id: 's-1', seconds: 754 }, undefined]);
    t.service.replaceWithImproved('s-1', { kind: 'improved', of: 's-1' }, [{ ...seg('i1', 'Hello world.', true, 0, 2), speaker: 'Speaker A' }]);
    const view = await t.service.view();
    expect(view.segments.map((x) => x.text)).toEqual(['later', 'Hello world.']);
    expect(view.runs.at(-1)).toMatchObject({ title: 'Improved transcript', improvedFrom: 's-1' });
    // Only the session still shown can be improved: its replaced twin's audio may go.
    expect([...(await t.service.reachableAudio())]).toEqual(['s-gone']);
    expect([...(await setup().service.reachableAudio())]).toEqual([]); // history off: nothing reachable after a restart
  });

  it('keeps the language the service heard with the run, on disk and in memory', async () => {
    const on = setup();
    on.service.setEnabled(true);
    on.service.startRun({ provider: 'fireworks' });
    on.emit(diff(1, [seg('1:0', 'Guten Tag', true)]));
    on.service.noteRunInfo({ language: 'de' });
    on.service.endRun();
    expect((await on.service.view()).runs).toEqual([expect.objectContaining({ language: 'de' })]);
    const off = setup([seg('1:0', 'Bonjour', true)]);
    off.service.startRun({ provider: 'fireworks' });
    off.service.noteRunInfo({ language: 'fr' });
    expect((await off.service.view()).runs).toEqual([expect.objectContaining({ language: 'fr' })]);
  });

  it('with history on: journals finals and replays several runs on one timeline', async () => {
    const t = setup();
    t.service.setEnabled(true);
    t.service.startRun({ provider: 'fireworks' });
    t.emit(diff(1, [seg('1:0', 'first', false, 0, 2)]));
    t.emit(diff(2, [seg('1:0', 'first run', true, 0, 2)]));
    t.service.endRun();
    t.service.startRun({ provider: 'fireworks' });
    t.emit(diff(1, [seg('1:0', 'second run', true, 0, 3)]));
    const view = await t.service.view();
    expect(view.enabled).toBe(true);
    expect(view.segments.map((s) => [s.text, s.start, s.end])).toEqual([['first run', 0, 2], ['second run', 3, 6]]);
    expect(new Set(view.segments.map((s) => s.id)).size).toBe(2); // ids unique across runs
    expect(view.runs).toEqual([
      { startedAt: '2025-01-02T10:00:00.000Z', firstIndex: 0 },
      { startedAt: '2025-01-02T10:02:00.000Z', firstIndex: 1 },
    ]);
    const journal = readFileSync(t.service.journalPath, 'utf8');
    expect(journal).not.toContain('"first"'); // the partial never reached the disk
  });

  it('survives a torn last line (crash mid-write)', async () => {
    const t = setup();
    t.service.setEnabled(true);
    t.service.startRun({});
    t.emit(diff(1, [seg('a', 'kept', true)]));
    appendFileSync(t.service.journalPath, '{"type":"segment","id":"b","te');
    const view = await t.service.view();
    expect(view.segments.map((s) => s.text)).toEqual(['kept']);
    expect(view.skippedLines).toBe(1);
  });

  it('exports what the search shows, in the chosen format', async () => {
    const t = setup();
    t.service.setEnabled(true);
    t.service.startRun({});
    t.emit(diff(1, [seg('a', 'the cat sat', true, 0, 1.5), seg('b', 'a dog ran', true, 2, 3), seg('c', 'Cats nap', true, 4, 5)]));
    const r = await t.service.exportAs({ format: 'srt', query: 'cat' });
    expect(r).toEqual({ ok: true, path: join(dir, 'out.srt'), segments: 2 });
    expect(t.exported[0]!.format).toBe('srt');
    expect(t.exported[0]!.name).toMatch(/^earshot-2025-01-02-10-\d\d\.srt$/);
    const srt = readFileSync(join(dir, 'out.srt'), 'utf8');
    expect(srt).toMatch(/^1\n00:00:00,000 --> 00:00:01,500\nthe cat sat\n/);
    expect(srt).toContain('Cats nap');
    expect(srt).not.toContain('dog');
    t.setExportPath(null);
    expect(await t.service.exportAs({ format: 'txt', query: '' })).toEqual({ ok: false, cancelled: true });
    t.setExportPath(join(dir, 'missing-dir', 'x.txt'));
    expect(await t.service.exportAs({ format: 'txt', query: '' })).toMatchObject({ ok: false, cancelled: false, error: { code: 'OUTPUT_FAILED' } });
  });

  it('turns itself off with a message when the journal cannot be opened', () => {
    const t = setup();
    rmSync(dir, { recursive: true, force: true });
    t.service.setEnabled(true);
    expect(t.errors).toHaveLength(1);
    t.service.startRun({});
    t.emit(diff(1, [seg('a', 'x', true)])); // no throw
  });
});

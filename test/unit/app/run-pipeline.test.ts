import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keptAudioInfo, writeKeptWav } from '../../../main/audio/kept-audio.js';
import type { ProviderOptions } from '../../../main/stt/provider.js';
import { describe, expect, it } from 'vitest';
import type { PipelineEvents } from '../../../main/app/pipeline-port.js';
import { loadAec3 } from '../../../main/audio/echo-canceller.js';
import { RunPipeline, testSourceLevel, type RunLike } from '../../../main/app/run-pipeline.js';
import type { AudioFormat, AudioSource } from '../../../main/audio/types.js';
import type { RunConfig, RunEvent } from '../../../main/pipeline/caption-run.js';
import type { MeetingConfig } from '../../../main/pipeline/meeting-run.js';
import { applyDiff, type CaptionDiff, type CaptionSnapshot, type Segment } from '../../../shared/captions.js';
import { EarshotError } from '../../../shared/errors.js';
import { FakeClock, flushMicrotasks } from '../../fakes/fake-clock.js';

class FakeRun implements RunLike {
  listeners = new Set<(e: RunEvent) => void>();
  state: CaptionSnapshot = { rev: 0, segments: [] };
  stopped = false;
  killed = false;
  hangOnStop = false;
  failStart: Error | null = null;
  constructor(readonly config: RunConfig) {}
  on(l: (e: RunEvent) => void) { this.listeners.add(l); return () => { this.listeners.delete(l); }; }
  async start() { if (this.failStart) throw this.failStart; }
  pause() {}
  reconfigured: ProviderOptions[] = [];
  reconfigure(o: ProviderOptions) { this.reconfigured.push(o); }
  stop() { this.stopped = true; return this.hangOnStop ? new Promise<never>(() => {}) : Promise.resolve(); }
  async kill() { this.killed = true; }
  snapshot() { return this.state; }
  finals() { return this.state.segments.filter((s) => s.final); }
  upsert(seg: Segment) {
    const diff: CaptionDiff = { rev: this.state.rev + 1, upserts: [seg], removals: [] };
    this.state = applyDiff(this.state, diff)!;
    for (const l of this.listeners) l({ type: 'diff', diff });
  }
  end() {
    for (const l of this.listeners) l({ type: 'ended', result: { flushed: true, fatal: undefined, finals: this.finals(), stats: {} as never } });
  }
}

const fakeSource = (): AudioSource & { closed: boolean } => ({
  description: 'fake', live: true, closed: false,
  async open() { return { sampleRate: 16000, channels: 1, sampleFormat: 's16' } as AudioFormat; },
  chunks: () => ({ [Symbol.asyncIterator]: async function* () {} }),
  async close() { this.closed = true; },
  stats: () => ({ overflows: 0, bytes: 0 }),
});

function setup() {
  const runs: FakeRun[] = [];
  const meetings: { config: MeetingConfig; run: FakeRun }[] = [];
  const sources: ReturnType<typeof fakeSource>[] = [];
  const clock = new FakeClock();
  const pipeline = new RunPipeline({
    clock,
    stopTimeoutMs: 1000,
    openSource: async () => { const s = fakeSource(); sources.push(s); return s; },
    provider: (id) => ({ id, label: id, sampleRate: 16000 } as never),
    createRun: (config) => { const r = new FakeRun(config); runs.push(r); return r; },
    createMeeting: (config) => { const r = new FakeRun(config.streams[0]!.run); meetings.push({ config, run: r }); return r; },
  });
  const events: { [K in keyof PipelineEvents]?: PipelineEvents[K][] } = {};
  for (const k of ['status', 'diff', 'level', 'warning', 'ended'] as const) pipeline.on(k, (p) => ((events[k] ??= []) as unknown[]).push(p));
  return { pipeline, runs, meetings, sources, clock, events };
}

const config = { source: { kind: 'mic' as const }, provider: 'fireworks' as const, model: 'fireworks-asr-large', endpoint: '', language: 'en', prompt: '', frameMs: 50, apiKey: 'k' };
const seg = (id: string, text: string, final = true): Segment => ({ id, text, start: 0, end: 1, final });

describe('RunPipeline', () => {
  it('passes the settings to the run, leaving empty options out', async () => {
    const t = setup();
    await t.pipeline.start(config);
    expect(t.runs[0]!.config.providerOptions).toEqual({ apiKey: 'k', model: 'fireworks-asr-large', endpoint: undefined, language: 'en', prompt: undefined });
    expect(t.runs[0]!.config.frameMs).toBe(50);
    // Segments carry the source term.
    expect(t.runs[0]!.config.sourceTerm).toBe('mic');
  });

  it('writes what the run sends to the kept-audio folder only when asked', async () => {
    const root = mkdtempSync(join(tmpdir(), 'earshot-run-kept-'));
    const t = setup();
    await t.pipeline.start(config);
    expect(t.runs[0]!.config.onAudio).toBeUndefined();
    await t.pipeline.start({ ...config, keepAudio: { root, id: 's-1', maxBytes: 1e6 } });
    t.runs[1]!.config.onAudio!(Int16Array.from([1, 2, 3]));
    expect(keptAudioInfo(root, 's-1')).toMatchObject({ bytes: 6 });
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps one revision sequence across runs, removing the old captions first', async () => {
    const t = setup();
    await t.pipeline.start(config);
    t.runs[0]!.upsert(seg('1:0', 'first run'));
    t.runs[0]!.upsert(seg('1:1', 'more'));
    await t.pipeline.start(config); // restart
    t.runs[1]!.upsert(seg('1:0', 'second run'));
    // A consumer applying every diff in order ends with exactly the new run's captions.
    let state: CaptionSnapshot = { rev: 0, segments: [] };
    for (const d of t.events.diff!) state = applyDiff(state, d)!;
    expect(state).toEqual(t.pipeline.snapshot());
    expect(state.segments.map((s) => s.text)).toEqual(['second run']);
    expect(t.events.diff!.map((d) => d.rev)).toEqual([1, 2, 3, 4]);
    expect(t.events.ended).toHaveLength(1);
  });

  it('keeps the last run\'s captions and finals after stop', async () => {
    const t = setup();
    await t.pipeline.start(config);
    t.runs[0]!.upsert(seg('a', 'done'));
    await t.pipeline.stop();
    expect(t.runs[0]!.stopped).toBe(true);
    expect(t.pipeline.finals().map((s) => s.text)).toEqual(['done']);
    expect(t.pipeline.snapshot()).toMatchObject({ rev: 1, segments: [{ id: 'a' }] });
    await t.pipeline.stop(); // idempotent
    expect(t.events.ended).toHaveLength(1);
  });

  it('cuts the link when the provider does not finish in time', async () => {
    const t = setup();
    await t.pipeline.start(config);
    t.runs[0]!.hangOnStop = true;
    const stopping = t.pipeline.stop();
    await flushMicrotasks();
    t.clock.advance(1000);
    await stopping;
    expect(t.runs[0]!.killed).toBe(true);
  });

  it('reports a run that ends by itself', async () => {
    const t = setup();
    await t.pipeline.start(config);
    t.runs[0]!.upsert(seg('a', 'bye'));
    t.runs[0]!.end();
    expect(t.events.ended).toEqual([{ fatal: undefined }]);
    expect(t.pipeline.finals()).toHaveLength(1);
  });

  it('closes the source and kills the run when the run cannot start', async () => {
    const clock = new FakeClock();
    const sources: ReturnType<typeof fakeSource>[] = [];
    const runs: FakeRun[] = [];
    const pipeline = new RunPipeline({
      clock,
      openSource: async () => { const s = fakeSource(); sources.push(s); return s; },
      provider: (id) => ({ id } as never),
      createRun: (c) => { const r = new FakeRun(c); r.failStart = new EarshotError('ENDPOINT_INVALID', 'http://x'); runs.push(r); return r; },
    });
    await expect(pipeline.start(config)).rejects.toMatchObject({ code: 'ENDPOINT_INVALID' });
    expect(sources[0]!.closed).toBe(true);
    expect(runs[0]!.killed).toBe(true);
    await pipeline.stop(); // nothing running: no 'ended', no throw
  });
});

describe('testSourceLevel', () => {
  it('reports levels and the loudest one, then closes the source', async () => {
    const chunks = [new Int16Array(1600).fill(0), new Int16Array(1600).fill(16384), new Int16Array(1600).fill(1000)];
    let closed = false;
    const source: AudioSource = {
      description: 'tone', live: true,
      async open() { return { sampleRate: 16000, channels: 1, sampleFormat: 's16' }; },
      chunks: () => ({ async *[Symbol.asyncIterator]() { for (const c of chunks) yield Buffer.from(c.buffer); } }),
      async close() { closed = true; },
      stats: () => ({ overflows: 0, bytes: 0 }),
    };
    const seen: number[] = [];
    const peak = await testSourceLevel(source, 1000, (l) => seen.push(Math.round(l.peakDb)));
    expect(seen).toEqual([-100, -6, -30]);
    expect(Math.round(peak.peakDb)).toBe(-6);
    expect(closed).toBe(true);
  });

  it('fails with DEVICE_LOST when the source gives nothing', async () => {
    const source: AudioSource = {
      description: 'dead', live: true,
      async open() { return { sampleRate: 16000, channels: 1, sampleFormat: 's16' }; },
      chunks: () => ({ async *[Symbol.asyncIterator]() {} }),
      async close() {},
      stats: () => ({ overflows: 0, bytes: 0 }),
    };
    await expect(testSourceLevel(source, 1000, () => {})).rejects.toMatchObject({ code: 'DEVICE_LOST' });
  });

  describe('meetings (two sources)', () => {
    const meeting = {
      ...config,
      source: {
        kind: 'meeting' as const,
        streams: [{ term: 'mic', label: 'You', source: { kind: 'mic' as const } }, { term: 'system', label: 'Others', source: { kind: 'system' as const } }],
        echo: true,
      },
    };

    it('builds one meeting of both sources: labels, terms, echo roles (system = reference, mic = target), both sides kept as one mixed track', async () => {
      const root = mkdtempSync(join(tmpdir(), 'earshot-run-kept-'));
      const t = setup();
      await t.pipeline.start({ ...meeting, keepAudio: { root, id: 's-2', maxBytes: 1e6 } });
      expect(t.runs).toHaveLength(0);
      const c = t.meetings[0]!.config;
      expect(c.streams.map((s) => [s.term, s.label, s.run.sourceTerm])).toEqual([['mic', 'You', 'mic'], ['system', 'Others', 'system']]);
      // Both steps, as in the CLI: AEC3 on the microphone's audio, then the text check.
      expect(c.echo).toEqual({ reference: 1, targets: [0], text: true, canceller: loadAec3 });
      // The microphone stays "You": never diarised; the others' side may be.
      expect(c.streams.map((s) => s.speakerLabels)).toEqual([false, true]);
      // In the app, a side that cannot open does not cost the other side's captions.
      expect(c.partialStart).toBe(true);
      expect(c.streams.map((s) => s.run.source)).toEqual(t.sources);
      expect(c.streams.every((s) => s.run.providerOptions.apiKey === 'k')).toBe(true);
      // What each side sends is mixed into the one kept track: 0.1 s from each, in step.
      c.streams[0]!.run.onAudio!(new Int16Array(1600).fill(1000));
      c.streams[1]!.run.onAudio!(new Int16Array(1600).fill(-300));
      await t.pipeline.stop();
      expect(keptAudioInfo(root, 's-2')).toMatchObject({ seconds: 0.1 });
      const wav = join(root, 'mix.wav');
      await writeKeptWav(root, 's-2', wav);
      const bytes = readFileSync(wav);
      const samples = Array.from({ length: (bytes.length - 44) / 2 }, (_, i) => bytes.readInt16LE(44 + 2 * i));
      expect(new Set(samples)).toEqual(new Set([700]));
      rmSync(root, { recursive: true, force: true });
      await t.pipeline.start({ ...meeting, source: { ...meeting.source, echo: false } });
      expect(t.meetings[1]!.config.echo).toBeUndefined();
    });

    it('says which stream each level is from, and passes per-stream status and warnings on', async () => {
      const t = setup();
      await t.pipeline.start(meeting);
      const run = t.meetings[0]!.run;
      const emit = (e: RunEvent) => { for (const l of run.listeners) l(e); };
      emit({ type: 'level', level: { rmsDb: -20, peakDb: -3 }, stream: { index: 1, source: 'system', label: 'Others' } });
      emit({ type: 'level', level: { rmsDb: -50, peakDb: -30 }, stream: { index: 0, source: 'mic', label: 'You' } });
      expect(t.events.level).toEqual([{ rmsDb: -20, peakDb: -3, stream: { index: 1, label: 'Others' } }, { rmsDb: -50, peakDb: -30, stream: { index: 0, label: 'You' } }]);
      const status = { kind: 'streams' as const, echoSuppressed: 2, streams: [{ label: 'You', source: 'mic', status: { kind: 'live' as const, provider: 'f' } }, { label: 'Others', source: 'system', status: { kind: 'paused' as const } }] };
      emit({ type: 'status', status });
      expect(t.events.status!.at(-1)).toEqual(status);
      const warning = { code: 'NETWORK' as const, message: 'm', retryable: true, detail: 'Others (system): gone' };
      emit({ type: 'warning', error: warning, stream: { index: 1, source: 'system', label: 'Others' } });
      expect(t.events.warning).toEqual([warning]);
    });

    it('closes the sources already open when the second cannot open', async () => {
      const clock = new FakeClock();
      const opened: ReturnType<typeof fakeSource>[] = [];
      const pipeline = new RunPipeline({
        clock,
        openSource: async (s) => {
          if (s.kind === 'system') throw new EarshotError('DEVICE_NOT_FOUND', 'no monitor');
          const src = fakeSource(); opened.push(src); return src;
        },
        provider: (id) => ({ id, label: id, sampleRate: 16000 } as never),
        createRun: () => { throw new Error('not a single run'); },
        createMeeting: () => { throw new Error('must not be built'); },
      });
      await expect(pipeline.start(meeting)).rejects.toThrow(/no monitor/);
      expect(opened.map((s) => s.closed)).toEqual([true]);
    });
  });
});

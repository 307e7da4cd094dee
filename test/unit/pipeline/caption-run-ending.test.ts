/**
 * How a CaptionRun ends when things go wrong, on a fake clock with the real converter,
 * session and caption store: a run that never connected fails (even when stopped on purpose)
 * with the cause; stop({ withinMs }) ends in time whatever the network does; capture that
 * dies mid-sentence and a kill during a slow flush both keep the open sentence as final;
 * RunPipeline.stop keeps it in finals() and in what the history records.
 */
import { describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../../../main/app/history-recorder.js';
import { RunPipeline } from '../../../main/app/run-pipeline.js';
import { CaptionRun, type RunConfig, type RunEvent } from '../../../main/pipeline/caption-run.js';
import { fireworksSpec } from '../../../main/stt/providers/fireworks/spec.js';
import type { Segment } from '../../../shared/captions.js';
import { EarshotError } from '../../../shared/errors.js';
import { FakeAudioSource } from '../../fakes/fake-audio-source.js';
import { FakeClock, flushMicrotasks, seededRandom } from '../../fakes/fake-clock.js';
import { FakeTransportHub, type FakeLink } from '../../fakes/fake-transport.js';
import { attachFireworksResponder, type FireworksResponderOptions } from '../../fakes/fireworks-server.js';
import { makeToneSpeech } from '../../fakes/tone-asr.js';

const KEY = 'run-test-key-31337';
const ENDPOINT = 'ws://127.0.0.1:9/x';

type Server = 'answer' | 'refuse' | 'hang';

function setup(source: FakeAudioSource, server: Server = 'answer', responder: FireworksResponderOptions = {}) {
  const clock = new FakeClock();
  const hub = new FakeTransportHub(clock);
  hub.onConnect = (link: FakeLink) => {
    if (server === 'hang') return;
    if (server === 'refuse') return void clock.setTimeout(() => link.fail('connection refused'), 5);
    attachFireworksResponder(link, clock, responder);
    clock.setTimeout(() => link.open(), 20);
  };
  const config = (s: FakeAudioSource): RunConfig => ({ source: s, provider: fireworksSpec, providerOptions: { apiKey: KEY, endpoint: ENDPOINT, language: 'en' }, frameMs: 50 });
  const deps = { transport: hub.factory, clock, random: seededRandom(3) };
  const run = new CaptionRun(config(source), deps);
  const events: RunEvent[] = [];
  run.on((e) => events.push(e));
  return { clock, hub, run, events, config, deps };
}

async function feed(clock: FakeClock, source: FakeAudioSource, samples: Int16Array, chunk = 1600) {
  for (let at = 0; at < samples.length; at += chunk) {
    source.push(samples.subarray(at, at + chunk));
    await clock.advanceAsync((chunk / 16000) * 1000);
  }
}

/** Speech cut in the middle of its last sentence's second word: that sentence is still open. */
function speechCutMidSentence() {
  const speech = makeToneSpeech({ words: 9, seed: 21 });
  const last = speech.words[speech.words.length - 1]!.sentence;
  const first = speech.words.findIndex((w) => w.sentence === last);
  const word = speech.words[first + 1]!;
  const cut = Math.round(((word.start + word.end) / 2) * 16000);
  return { speech, samples: speech.samples.subarray(0, cut) };
}

const openText = (segments: readonly Segment[]) => segments.filter((s) => !s.final).map((s) => s.text).join(' ');

describe('a run that never connected', () => {
  it('ends by itself with CONNECT_FAILED and the cause, not as a success', async () => {
    const speech = makeToneSpeech({ words: 4, seed: 2 });
    const t = setup(new FakeAudioSource({ data: speech.samples }), 'refuse');
    await t.run.start();
    await t.clock.advanceAsync(60_000, 100);
    const result = await t.run.done;
    expect(result.fatal).toMatchObject({ code: 'CONNECT_FAILED', detail: expect.stringContaining(`cannot connect to ${ENDPOINT}: connection refused`) });
    expect(t.events.filter((e) => e.type === 'status').pop()).toMatchObject({ status: { kind: 'error', error: { code: 'CONNECT_FAILED' } } });
  });

  it('stop({ withinMs }) during a handshake that hangs ends in time, as a failure that says why', async () => {
    const source = new FakeAudioSource({ live: true });
    const t = setup(source, 'hang');
    await t.run.start();
    await feed(t.clock, source, new Int16Array(8000));
    let ended = false;
    void t.run.stop({ withinMs: 1500 }).then(() => (ended = true));
    await t.clock.advanceAsync(1400, 100);
    expect(ended).toBe(false);
    await t.clock.advanceAsync(200, 100);
    expect(ended).toBe(true);
    const result = await t.run.done;
    expect(result.fatal).toMatchObject({ code: 'CONNECT_FAILED', detail: expect.stringMatching(/^cannot connect to ws:\/\/127\.0\.0\.1:9\/x: stopped after 2\.\d s without an answer/) });
    expect(t.hub.last.closedByClient).toBe('terminate');
  });
});

describe('the open sentence is kept', () => {
  it('when capture dies mid-sentence: the run ends with the source error, the sentence as final', async () => {
    const source = new FakeAudioSource({ live: true });
    const t = setup(source);
    await t.run.start();
    const { samples } = speechCutMidSentence();
    await feed(t.clock, source, samples);
    const open = openText(t.run.snapshot().segments);
    expect(open).not.toBe('');
    source.fail(new EarshotError('DEVICE_LOST', 'the capture process exited (SIGKILL)'));
    await t.clock.advanceAsync(3000, 50);
    const result = await t.run.done;
    expect(result.fatal?.code).toBe('DEVICE_LOST');
    expect(result.finals.map((s) => s.text).join(' ')).toContain(open);
    expect(t.events.filter((e) => e.type === 'warning' && e.error.code === 'DEVICE_LOST')).toHaveLength(1);
  });

  it('when the run is killed while the provider never answers the flush', async () => {
    const source = new FakeAudioSource({ live: true });
    const t = setup(source, 'answer', { echo: 'none' });
    await t.run.start();
    const { samples } = speechCutMidSentence();
    await feed(t.clock, source, samples);
    const open = openText(t.run.snapshot().segments);
    expect(open).not.toBe('');
    void t.run.stop();
    await t.clock.advanceAsync(2000, 50);
    const result = await t.run.kill();
    expect(result.finals.at(-1)?.final).toBe(true);
    expect(result.finals.map((s) => s.text).join(' ')).toContain(open);
    expect(result.fatal).toBeUndefined();
  });

  it('RunPipeline.stop after its timeout: in finals() and in the history', async () => {
    const source = new FakeAudioSource({ live: true });
    const t = setup(source, 'answer', { echo: 'none' });
    const pipeline = new RunPipeline({
      clock: t.clock,
      stopTimeoutMs: 5000,
      openSource: async () => source,
      provider: () => fireworksSpec,
      createRun: (config) => new CaptionRun(config, t.deps),
    });
    const recorded: Segment[] = [];
    const history = new HistoryRecorder({ append: (s) => recorded.push(s), appendRemoval: () => undefined });
    pipeline.on('diff', (d) => history.apply(d));
    await pipeline.start({ source: { kind: 'mic' }, provider: 'fireworks', model: 'fireworks-asr-large', endpoint: ENDPOINT, language: 'en', prompt: '', frameMs: 50, apiKey: KEY });
    const { samples } = speechCutMidSentence();
    await feed(t.clock, source, samples);
    const open = openText(pipeline.snapshot().segments);
    expect(open).not.toBe('');
    let stopped = false;
    void pipeline.stop().then(() => (stopped = true));
    await t.clock.advanceAsync(5100, 50);
    await flushMicrotasks();
    expect(stopped).toBe(true);
    expect(pipeline.finals().map((s) => s.text).join(' ')).toContain(open);
    expect(pipeline.finals().every((s) => s.final)).toBe(true);
    expect(recorded.map((s) => s.text).join(' ')).toContain(open);
  });
});

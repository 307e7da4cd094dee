/**
 * CaptionRun on a fake clock: a fake audio source, the real converter, pacer, session and
 * caption store, and a Fireworks responder over fake links.
 */
import { describe, expect, it } from 'vitest';
import { CaptionRun, NO_AUDIO_WARNING_MS, type RunEvent } from '../../../main/pipeline/caption-run.js';
import { fireworksSpec } from '../../../main/stt/providers/fireworks/spec.js';
import type { Unsubscribe } from '../../../main/util/clock.js';
import { errorInfo, type ErrorInfo } from '../../../shared/errors.js';
import { FakeAudioSource } from '../../fakes/fake-audio-source.js';
import { FakeClock, flushMicrotasks, seededRandom } from '../../fakes/fake-clock.js';
import { FakeTransportHub } from '../../fakes/fake-transport.js';
import { attachFireworksResponder } from '../../fakes/fireworks-server.js';
import { makeToneSpeech } from '../../fakes/tone-asr.js';

const KEY = 'run-test-key-31337';

/** A live fake source that can also report a device failure, like the capture process does. */
class FailingLiveSource extends FakeAudioSource {
  private readonly errorListeners = new Set<(e: ErrorInfo) => void>();
  onError(listener: (e: ErrorInfo) => void): Unsubscribe {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }
  lose(): void {
    for (const l of this.errorListeners) l(errorInfo('DEVICE_LOST', 'the capture process exited (SIGKILL)'));
    this.end();
  }
}

function setup(source: FakeAudioSource, speed = 1) {
  const clock = new FakeClock();
  const hub = new FakeTransportHub(clock);
  hub.onConnect = (link) => {
    attachFireworksResponder(link, clock);
    clock.setTimeout(() => link.open(), 20);
  };
  const run = new CaptionRun(
    { source, provider: fireworksSpec, providerOptions: { apiKey: KEY, endpoint: 'ws://127.0.0.1:9/x', language: 'en' }, frameMs: 50, speed },
    { transport: hub.factory, clock, random: seededRandom(3) },
  );
  const events: RunEvent[] = [];
  run.on((e) => events.push(e));
  const warnings = () => events.flatMap((e) => (e.type === 'warning' ? [e.error.code] : []));
  return { clock, hub, run, events, warnings };
}

async function feed(clock: FakeClock, source: FakeAudioSource, samples: Int16Array, chunk = 1600) {
  for (let at = 0; at < samples.length; at += chunk) {
    source.push(samples.subarray(at, at + chunk));
    await clock.advanceAsync((chunk / 16000) * 1000);
  }
}

describe('CaptionRun', () => {
  it('captions a file at real time on the clock, exactly', async () => {
    const speech = makeToneSpeech({ words: 8, seed: 4 });
    const t = setup(new FakeAudioSource({ data: speech.samples }));
    await t.run.start();
    let done = false;
    void t.run.done.then(() => (done = true));
    const seconds = speech.samples.length / 16000;
    await t.clock.advanceAsync(seconds * 1000 - 200, 50);
    expect(done).toBe(false); // paced: not ahead of real time
    await t.clock.advanceAsync(5000, 50);
    const result = await t.run.done;
    expect(result.flushed).toBe(true);
    expect(result.finals.map((s) => s.text).join(' ')).toBe(speech.text);
  });

  it('warns once when a live device stops delivering, and again after it recovers and stops again', async () => {
    const source = new FakeAudioSource({ live: true });
    const t = setup(source);
    await t.run.start();
    await feed(t.clock, source, new Int16Array(16000));
    await t.clock.advanceAsync(NO_AUDIO_WARNING_MS + 1000, 100);
    expect(t.warnings().filter((c) => c === 'DEVICE_LOST')).toHaveLength(1);
    await t.clock.advanceAsync(10_000, 100);
    expect(t.warnings().filter((c) => c === 'DEVICE_LOST')).toHaveLength(1);
    await feed(t.clock, source, new Int16Array(8000));
    await t.clock.advanceAsync(NO_AUDIO_WARNING_MS + 1000, 100);
    expect(t.warnings().filter((c) => c === 'DEVICE_LOST')).toHaveLength(2);
    const stopping = t.run.stop();
    await t.clock.advanceAsync(3000, 50);
    await stopping;
  });

  it('does not call a paused source lost', async () => {
    const source = new FakeAudioSource({ live: true });
    const t = setup(source);
    await t.run.start();
    await feed(t.clock, source, new Int16Array(8000));
    t.run.pause(true);
    await t.clock.advanceAsync(NO_AUDIO_WARNING_MS * 3, 100);
    expect(t.warnings()).not.toContain('DEVICE_LOST');
    void t.run.kill();
  });

  it('a failed device ends the run with its error, keeping and flushing what was captured', async () => {
    const source = new FailingLiveSource({ live: true });
    const t = setup(source);
    await t.run.start();
    const speech = makeToneSpeech({ words: 5, seed: 9 });
    await feed(t.clock, source, speech.samples);
    source.lose();
    await t.clock.advanceAsync(3000, 50);
    const result = await t.run.done;
    expect(result.fatal?.code).toBe('DEVICE_LOST');
    expect(result.flushed).toBe(true);
    expect(result.finals.map((s) => s.text).join(' ')).toBe(speech.text);
    const last = t.events.filter((e) => e.type === 'status').pop();
    expect(last).toMatchObject({ status: { kind: 'error', error: { code: 'DEVICE_LOST' } } });
  });

  it('reports audio lost before Earshot saw it', async () => {
    const source = new FakeAudioSource({ live: true });
    const t = setup(source);
    await t.run.start();
    source.overflow(120);
    await flushMicrotasks();
    expect(t.events.find((e) => e.type === 'warning')).toMatchObject({ error: { code: 'AUDIO_OVERFLOW', detail: expect.stringContaining('120 ms') } });
    void t.run.kill();
  });
});

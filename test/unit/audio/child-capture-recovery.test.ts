/**
 * ChildCaptureSource's recovery from a silent-dead stream (a sound-server restart): the
 * child is replaced, with backoff, by one that reopens the same source in the same format,
 * and the audio of every child lands in the one queue that chunks() drains.
 */
import { describe, expect, it } from 'vitest';
import { ChildCaptureSource } from '../../../main/audio/child-capture-source.js';
import type { SourceRecoveryEvent } from '../../../main/audio/types.js';
import { EarshotError, type ErrorInfo } from '../../../shared/errors.js';
import { FakeCaptureProcess } from '../../fakes/fake-capture-process.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const FORMAT = { sampleRate: 1000, channels: 1, sampleFormat: 's16' as const };
const tick = () => new Promise<void>((r) => setImmediate(r));
const pcm = (n: number, fill: number) => Buffer.alloc(n, fill);

/** Children answer `open` as scripted: 'opened' (with a format), 'fail' (exit 1) or 'hang'. */
function setup(script: Array<'opened' | 'fail' | 'hang' | { format: typeof FORMAT }>) {
  const clock = new FakeClock(0);
  const children: FakeCaptureProcess[] = [];
  const source = new ChildCaptureSource({
    spec: 'device:x.monitor',
    clock,
    stderr: () => undefined,
    reopenAfterSilentMs: 3000,
    reopenBackoffMs: [500, 1000],
    spawn: () => {
      const n = children.length;
      const child = new FakeCaptureProcess(100 + n);
      const how = script[n] ?? 'opened';
      child.onSent = (m) => {
        if (m.type === 'stop') return child.exit(0);
        if (m.type !== 'open') return;
        if (how === 'fail') {
          child.message({ type: 'error', error: { code: 'DEVICE_OPEN_FAILED', detail: 'Connection refused' } });
          child.exit(1);
        } else if (how !== 'hang') {
          child.message({ type: 'opened', format: typeof how === 'object' ? how.format : FORMAT, description: `Monitor (child ${n})` });
        }
      };
      children.push(child);
      return child;
    },
  });
  const events: SourceRecoveryEvent[] = [];
  const errors: ErrorInfo[] = [];
  source.onRecovery((e) => events.push(e));
  source.onError((e) => errors.push(e));
  const chunks: Buffer[] = [];
  let ended: unknown = 'running';
  const drain = async () => {
    await source.open();
    const done = (async () => {
      for await (const c of source.chunks()) chunks.push(c);
    })().then(
      () => (ended = null),
      (e: unknown) => (ended = e),
    );
    return done;
  };
  /** Advances the clock in small steps, letting pipes and promises run between them. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await tick();
    }
  };
  return { clock, children, source, events, errors, chunks, drain, run, ended: () => ended };
}

describe('ChildCaptureSource recovery', () => {
  it('replaces a silent-dead child, reopens in the first format, and says lost, then resumed', async () => {
    const s = setup(['opened', 'fail', 'opened']);
    void s.drain();
    await tick();
    s.children[0]!.writePcm(pcm(20, 1));
    await s.run(1000);
    expect(s.events).toEqual([]);
    await s.run(2000); // nothing for 3 s: the stream is dead
    expect(s.events).toEqual([{ kind: 'lost', detail: 'no audio from Monitor (child 0) for 3.0 s; reopening it' }]);
    expect(s.children[0]!.signals).toEqual(['SIGKILL']);
    await s.run(600); // attempt 1 (after 0.5 s): the server is not up yet
    expect(s.children).toHaveLength(2);
    expect(s.children[1]!.sent[0]).toEqual({ type: 'open', spec: 'device:x.monitor', maxQueuedMs: 5000, format: { sampleRate: 1000, channels: 1 } });
    await s.run(1000); // attempt 2 (after 1 s) opens
    expect(s.children).toHaveLength(3);
    expect(s.children[2]!.sent.map((m) => m.type)).toEqual(['open', 'start']);
    expect(s.events).toHaveLength(1); // opened is not enough: audio must flow
    s.children[2]!.writePcm(pcm(20, 2));
    await tick();
    expect(s.events[1]).toMatchObject({ kind: 'resumed', attempts: 2, detail: 'audio from Monitor (child 2) again after 1.6 s' });
    // A killed child's late audio is not taken.
    s.children[0]!.writePcm(pcm(20, 9));
    await tick();
    expect(s.chunks).toEqual([pcm(20, 1), pcm(20, 2)]);
    expect(s.errors).toEqual([]);
    expect(s.ended()).toBe('running');
    await s.source.close();
  });

  it('tries again when a reopened stream is as dead as the first one, or the driver hangs', async () => {
    const s = setup(['opened', 'opened', 'hang', 'opened']);
    void s.drain();
    await tick();
    await s.run(3100);
    expect(s.events.map((e) => e.kind)).toEqual(['lost']);
    await s.run(600); // child 1 opens but delivers nothing
    expect(s.children).toHaveLength(2);
    await s.run(3100); // ... so it is replaced
    expect(s.children[1]!.signals).toEqual(['SIGKILL']);
    await s.run(1100); // child 2 hangs in open
    expect(s.children).toHaveLength(3);
    await s.run(5000 + 1100); // given up after 5 s, child 3 opens
    expect(s.children[2]!.signals).toEqual(['SIGKILL']);
    expect(s.children).toHaveLength(4);
    s.children[3]!.writePcm(pcm(10, 3));
    await tick();
    expect(s.events.map((e) => e.kind)).toEqual(['lost', 'resumed']);
    await s.source.close();
  });

  it('a source that comes back in another format ends with DEVICE_LOST', async () => {
    const s = setup(['opened', { format: { ...FORMAT, sampleRate: 2000 } }]);
    const done = s.drain();
    await tick();
    await s.run(3700);
    await done;
    const err = s.ended() as EarshotError;
    expect(err.code).toBe('DEVICE_LOST');
    expect(err.detail).toMatch(/came back as 2000 Hz, 1 ch instead of 1000 Hz, 1 ch/);
  });

  it('close() during recovery stops retrying and ends chunks() at once', async () => {
    const s = setup(['opened', 'fail', 'fail', 'fail']);
    const done = s.drain();
    await tick();
    await s.run(3100);
    await s.source.close();
    await done;
    expect(s.ended()).toBeNull();
    const spawned = s.children.length;
    await s.run(10_000);
    expect(s.children).toHaveLength(spawned);
    expect(s.clock.pending).toBe(0);
  });

  it('without reopenAfterSilentMs a silent child is left alone (the desktop path decides itself)', async () => {
    const clock = new FakeClock(0);
    const child = new FakeCaptureProcess();
    child.onSent = (m) => void (m.type === 'open' && child.message({ type: 'opened', format: FORMAT, description: 'x' }));
    const source = new ChildCaptureSource({ spec: 'mic', clock, stderr: () => undefined, spawn: () => child });
    await source.open();
    void (async () => {
      for await (const _ of source.chunks());
    })();
    clock.advance(60_000);
    expect(child.signals).toEqual([]);
    expect(clock.pending).toBe(0);
    child.onSent = (m) => void (m.type === 'stop' && child.exit(0));
    await source.close();
  });
});

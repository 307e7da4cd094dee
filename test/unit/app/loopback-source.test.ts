import { describe, expect, it } from 'vitest';
import { LoopbackAudioSource } from '../../../main/app/loopback-source.js';
import { FakeClock, flushMicrotasks } from '../../fakes/fake-clock.js';

function setup(maxQueuedSeconds = 2) {
  const clock = new FakeClock();
  const commands: string[] = [];
  const source = new LoopbackAudioSource({
    clock, maxQueuedSeconds, startTimeoutMs: 5000,
    control: { start: () => commands.push('start'), stop: () => commands.push('stop') },
  });
  return { clock, commands, source };
}
const block = (seq: number, frames: number, value: number, channels = 2) =>
  ({ seq, sampleRate: 48000, channels, data: new Float32Array(frames * channels).fill(value) });

describe('LoopbackAudioSource', () => {
  it('opens once the capture page reports its format, and yields its blocks as f32 bytes', async () => {
    const t = setup();
    const opening = t.source.open();
    expect(t.commands).toEqual(['start']);
    t.source.onStatus({ state: 'started', sampleRate: 48000, channels: 2 });
    await expect(opening).resolves.toEqual({ sampleRate: 48000, channels: 2, sampleFormat: 'f32' });
    const it = t.source.chunks()[Symbol.asyncIterator]();
    const next = it.next();
    t.source.onChunk(block(0, 960, 0.25));
    const r = await next;
    expect(r.done).toBe(false);
    expect(new Float32Array(r.value!.buffer, r.value!.byteOffset, r.value!.length / 4)[0]).toBe(0.25);
    t.source.onChunk(block(1, 960, 0.5));
    expect((await it.next()).value!.length).toBe(960 * 2 * 4);
    expect(t.source.stats()).toEqual({ overflows: 0, bytes: 2 * 960 * 2 * 4 });
  });

  it('fails to open with a message when the page never starts', async () => {
    const t = setup();
    const opening = t.source.open();
    t.clock.advance(5000);
    await expect(opening).rejects.toMatchObject({ code: 'DEVICE_OPEN_FAILED' });
    expect(t.commands).toEqual(['start', 'stop']);
  });

  it('fails to open when the page reports an error (permission denied)', async () => {
    const t = setup();
    const opening = t.source.open();
    t.source.onStatus({ state: 'error', message: 'Permission denied' });
    await expect(opening).rejects.toMatchObject({ code: 'DEVICE_OPEN_FAILED', detail: 'system audio: Permission denied' });
  });

  it('bounds the queue for a slow reader and counts what it drops', async () => {
    const t = setup(0.1); // 4800 frames at 48 kHz
    const opening = t.source.open();
    t.source.onStatus({ state: 'started', sampleRate: 48000, channels: 2 });
    await opening;
    for (let i = 0; i < 10; i++) t.source.onChunk(block(i, 960, i));
    expect(t.source.stats().overflows).toBe(5);
    const it = t.source.chunks()[Symbol.asyncIterator]();
    const first = (await it.next()).value!;
    expect(new Float32Array(first.buffer, first.byteOffset, 2)[0]).toBe(5); // oldest blocks went first
  });

  it('counts blocks the page skipped and ignores blocks in another format', async () => {
    const t = setup();
    const opening = t.source.open();
    t.source.onStatus({ state: 'started', sampleRate: 48000, channels: 2 });
    await opening;
    t.source.onChunk(block(0, 10, 0));
    t.source.onChunk(block(3, 10, 0));
    t.source.onChunk({ seq: 4, sampleRate: 44100, channels: 2, data: new Float32Array(20) });
    expect(t.source.stats()).toEqual({ overflows: 1, bytes: 2 * 10 * 2 * 4 });
  });

  it('ends iteration on close (idempotent) and when capture stops', async () => {
    const t = setup();
    const opening = t.source.open();
    t.source.onStatus({ state: 'started', sampleRate: 48000, channels: 2 });
    await opening;
    const it = t.source.chunks()[Symbol.asyncIterator]();
    const pending = it.next();
    t.source.onStatus({ state: 'stopped' });
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await t.source.close();
    await flushMicrotasks();
    expect(t.commands.filter((c) => c === 'stop')).toHaveLength(1);
    await expect(t.source.open()).rejects.toMatchObject({ code: 'DEVICE_OPEN_FAILED' });
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AudioOverflowEvent } from '../../../main/audio/types.js';
import { listInputDevices, PortAudioSource } from '../../../main/audio/portaudio-source.js';
import { EarshotError } from '../../../shared/errors.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { FakeNaudiodon } from './fake-naudiodon.js';

async function openError(p: Promise<unknown>): Promise<EarshotError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EarshotError);
  return err as EarshotError;
}

describe('PortAudioSource: opening', () => {
  it('opens the default input at its native rate, at most 2 channels, s16, never closing on error', async () => {
    const na = new FakeNaudiodon();
    const src = new PortAudioSource({ binding: na.loader });
    expect(await src.open()).toEqual({ sampleRate: 44100, channels: 2, sampleFormat: 's16' });
    const o = na.last.options;
    expect(o.deviceId).toBe(4);
    expect(o.channelCount).toBe(2);
    expect(o.closeOnError).toBe(false);
    expect(o.maxQueue).toBeGreaterThanOrEqual(64);
    expect(o.framesPerBuffer).toBe(882); // 20 ms
    expect(o.highwaterMark % (2 * 2)).toBe(0); // whole frames per chunk
    expect(src.live).toBe(true);
    expect(src.description).toContain('default (device 4)');
    await src.close();
  });

  it.each([
    ['2', 2],
    [2, 2],
    ['usb', 2],
    ['USB Microphone: Audio (hw:1,0)', 2],
    ['alc257', 0],
    ['PULSE', 3],
  ])('finds device %s', async (spec, id) => {
    const na = new FakeNaudiodon();
    const src = new PortAudioSource({ binding: na.loader, device: spec });
    await src.open();
    expect(na.last.options.deviceId).toBe(id);
  });

  it('mono devices open mono; rates come from the device', async () => {
    const na = new FakeNaudiodon();
    expect(await new PortAudioSource({ binding: na.loader, device: 2 }).open()).toEqual({ sampleRate: 48000, channels: 1, sampleFormat: 's16' });
  });

  it.each([
    ['9', /no input device with id 9/],
    ['1', /"HDMI 0"\) has no inputs/],
    ['webcam', /no input device is named like "webcam"/],
    ['a', /matches several inputs/],
  ])('DEVICE_NOT_FOUND for %s, listing the inputs', async (spec, why) => {
    const err = await openError(new PortAudioSource({ binding: new FakeNaudiodon().loader, device: spec }).open());
    expect(err.code).toBe('DEVICE_NOT_FOUND');
    expect(err.message).toMatch(why);
    expect(err.message).toContain('0 "HDA Intel PCH: ALC257 Analog (hw:0,0)", 2 "USB Microphone: Audio (hw:1,0)"');
    expect(err.message).not.toContain('HDMI 0",');
  });

  it('DEVICE_NOT_FOUND when the computer has no inputs at all', async () => {
    const na = new FakeNaudiodon([{ id: 0, name: 'out', maxInputChannels: 0, maxOutputChannels: 2, defaultSampleRate: 48000, hostAPIName: 'ALSA' }]);
    expect((await openError(new PortAudioSource({ binding: na.loader }).open())).code).toBe('DEVICE_NOT_FOUND');
  });

  it('DEVICE_OPEN_FAILED names the device when PortAudio refuses', async () => {
    const na = new FakeNaudiodon();
    na.failOpen = new Error('Invalid sample rate');
    const err = await openError(new PortAudioSource({ binding: na.loader, device: 2 }).open());
    expect(err.code).toBe('DEVICE_OPEN_FAILED');
    expect(err.message).toContain('USB Microphone');
    expect(err.message).toContain('Invalid sample rate');
  });

  it('sets openEnv only while the stream opens', async () => {
    const na = new FakeNaudiodon();
    const before = process.env.PULSE_SOURCE;
    await new PortAudioSource({ binding: na.loader, device: 'pulse', openEnv: { PULSE_SOURCE: 'x.monitor' } }).open();
    expect(na.last.pulseSourceAtOpen).toBe('x.monitor');
    expect(process.env.PULSE_SOURCE).toBe(before);
  });

  it('lists inputs only, marking the default', async () => {
    const list = await listInputDevices(new FakeNaudiodon().loader);
    expect(list.map((d) => [d.id, d.isDefault])).toEqual([['0', false], ['2', false], ['3', false], ['4', true]]);
    expect(list[1]).toMatchObject({ kind: 'input', defaultSampleRate: 48000, maxInputChannels: 1, hostApi: 'ALSA' });
  });
});

describe('PortAudioSource: capture', () => {
  const frame20ms = (rate: number, ch: number) => Buffer.alloc((rate / 50) * ch * 2, 1);

  it('starts on first iteration, delivers chunks, ends on close; close is idempotent', async () => {
    const na = new FakeNaudiodon();
    const src = new PortAudioSource({ binding: na.loader, device: 2 });
    await src.open();
    expect(na.last.started).toBe(false);
    const it = src.chunks()[Symbol.asyncIterator]();
    const first = it.next();
    expect(na.last.started).toBe(true);
    na.last.emit('data', frame20ms(48000, 1));
    expect((await first).value.length).toBe(1920);
    const pending = it.next();
    await src.close();
    await src.close();
    expect((await pending).done).toBe(true);
    expect(na.last.quitCalls).toBe(1);
    expect(src.stats()).toMatchObject({ bytes: 1920, overflows: 0 });
  });

  it('close before start aborts the opened stream', async () => {
    const na = new FakeNaudiodon();
    const src = new PortAudioSource({ binding: na.loader });
    await src.open();
    await src.close();
    expect(na.last.abortCalls).toBe(1);
  });

  it('close gives up on a wedged driver after 2 s', async () => {
    const na = new FakeNaudiodon();
    na.hangOnQuit = true;
    const clock = new FakeClock();
    const src = new PortAudioSource({ binding: na.loader, clock });
    await src.open();
    void src.chunks()[Symbol.asyncIterator]().next();
    const closing = src.close();
    clock.advance(2000);
    await closing;
  });

  /** A started stream whose driver never finishes quitting; close() returns after its 2 s guard. */
  async function closeWedged(): Promise<{ na: FakeNaudiodon; clock: FakeClock }> {
    const na = new FakeNaudiodon();
    na.hangOnQuit = true;
    const clock = new FakeClock();
    const old = new PortAudioSource({ binding: na.loader, clock });
    await old.open();
    void old.chunks()[Symbol.asyncIterator]().next();
    const closing = old.close();
    clock.advance(2000);
    await closing;
    return { na, clock };
  }

  it('never lists or opens devices while an earlier stream is still closing (that crashes PortAudio)', async () => {
    const { na, clock } = await closeWedged(); // the native quit is still running
    const next = new PortAudioSource({ binding: na.loader, clock, device: 2 });
    let opened = false;
    const opening = next.open().then(() => { opened = true; });
    await new Promise((r) => setImmediate(r));
    expect(opened).toBe(false);
    expect(na.listedWhileClosing).toBe(0);
    na.streams[0]!.pendingQuit!();
    na.streams[0]!.pendingQuit = null;
    await opening;
    expect(na.last.options.deviceId).toBe(2);
    expect(na.listedWhileClosing).toBe(0);
  });

  it('gives up waiting for a stream that never closes with an error, not a crash', async () => {
    const { na, clock } = await closeWedged();
    const listing = listInputDevices(na.loader, clock).then(() => null, (e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    clock.advance(10_000);
    const err = (await listing) as EarshotError;
    expect(err.code).toBe('DEVICE_OPEN_FAILED');
    expect(err.message).toMatch(/still closing/);
    expect(na.listedWhileClosing).toBe(0);
  });

  it('detects audio the driver lost from delivered samples vs the clock, and reports it', async () => {
    const na = new FakeNaudiodon();
    const clock = new FakeClock();
    const src = new PortAudioSource({ binding: na.loader, device: 2, clock });
    await src.open();
    const events: AudioOverflowEvent[] = [];
    const off = src.onOverflow((e) => events.push(e));
    const consume = (async () => {
      for await (const _ of src.chunks()) void _;
    })();
    for (let i = 0; i < 600; i++) {
      clock.advance(20);
      if (i >= 200 && i < 215) continue; // 300 ms that never reach us
      na.last.emit('data', frame20ms(48000, 1));
      await new Promise((r) => setImmediate(r)); // let the consumer keep up
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ overflows: 1, where: 'driver' });
    expect(events[0].lostMs).toBeCloseTo(300, 0);
    expect(src.stats().overflows).toBe(1);
    expect(src.stats().lostMs).toBeCloseTo(300, 0);
    off();
    await src.close();
    await consume;
  });

  it('bounds its own queue when nobody reads, dropping the oldest and reporting it', async () => {
    const na = new FakeNaudiodon();
    const src = new PortAudioSource({ binding: na.loader, device: 2, maxQueuedMs: 100 });
    await src.open();
    const events: AudioOverflowEvent[] = [];
    src.onOverflow((e) => events.push(e));
    const it = src.chunks()[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) na.last.emit('data', Buffer.alloc(1920, i));
    const queueEvents = events.filter((e) => e.where === 'queue');
    expect(queueEvents.reduce((s, e) => s + e.lostMs, 0)).toBeCloseTo(100, 0);
    expect((await it.next()).value[0]).toBe(5); // the newest 100 ms survive
    await src.close();
  });

  it('a stream error ends iteration with DEVICE_LOST', async () => {
    const na = new FakeNaudiodon();
    const src = new PortAudioSource({ binding: na.loader });
    await src.open();
    const it = src.chunks()[Symbol.asyncIterator]();
    const p = it.next();
    na.last.emit('error', new Error('device unplugged'));
    const err = await openError(p);
    expect(err.code).toBe('DEVICE_LOST');
    expect(err.message).toContain('device unplugged');
    await src.close();
  });
});

describe('native module isolation', () => {
  it('only portaudio-source.ts mentions naudiodon2, resolving its add-on lazily instead of importing index.js', () => {
    const dir = new URL('../../../main/audio/', import.meta.url);
    for (const f of readdirSync(dir)) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, f).not.toMatch(/segfault-handler/);
      if (f === 'portaudio-source.ts') {
        expect(code).toMatch(/resolve\('naudiodon2\/package\.json'\)/);
        expect(code).not.toMatch(/import[^;]*['"]naudiodon2['"]|require\(['"]naudiodon2['"]\)/);
      } else {
        expect(code, f).not.toMatch(/['"]naudiodon2['"/]/);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { listInputsInChild } from '../../../main/audio/capture-process.js';
import { ChildCaptureSource, type ChildCaptureOptions } from '../../../main/audio/child-capture-source.js';
import { listAllDevices, resolveSource } from '../../../main/audio/system-audio.js';
import type { AudioDevice, AudioOverflowEvent } from '../../../main/audio/types.js';
import { WavFileSource } from '../../../main/audio/wav-file-source.js';
import { EarshotError, type ErrorInfo } from '../../../shared/errors.js';
import { FakeCaptureProcess } from '../../fakes/fake-capture-process.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const FORMAT = { sampleRate: 1000, channels: 1, sampleFormat: 's16' as const };
const tick = () => new Promise<void>((r) => setImmediate(r));

function setup(opts: Partial<ChildCaptureOptions> = {}) {
  const child = new FakeCaptureProcess();
  const clock = new FakeClock();
  const stderr: string[] = [];
  let spawned = 0;
  const source = new ChildCaptureSource({
    spec: 'device:earshot_test.monitor',
    clock,
    stderr: (t) => stderr.push(t),
    spawn: () => {
      spawned++;
      return child;
    },
    ...opts,
  });
  const overflows: AudioOverflowEvent[] = [];
  const errors: ErrorInfo[] = [];
  source.onOverflow((e) => overflows.push(e));
  source.onError((e) => errors.push(e));
  return { child, clock, stderr, source, overflows, errors, spawned: () => spawned };
}

async function opened(opts: Partial<ChildCaptureOptions> = {}) {
  const s = setup(opts);
  s.child.onSent = (m) => {
    if (m.type === 'open') s.child.message({ type: 'opened', format: FORMAT, description: 'Monitor of Null Output (1000 Hz, 1 ch)' });
  };
  await s.source.open();
  return s;
}

/** Collects chunks until the iteration ends; resolves with them or the error it ended with. */
function collect(source: ChildCaptureSource): { chunks: Buffer[]; done: Promise<unknown> } {
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of source.chunks()) chunks.push(c);
  })().then(
    () => null,
    (err: unknown) => err,
  );
  return { chunks, done };
}

const pcm = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('ChildCaptureSource', () => {
  it('opens in the child, then streams whole chunks however the pipe splits them', async () => {
    const s = await opened({ maxQueuedMs: 1000 });
    expect(s.child.sent[0]).toEqual({ type: 'open', spec: 'device:earshot_test.monitor', maxQueuedMs: 1000 });
    expect(s.source.description).toBe('Monitor of Null Output (1000 Hz, 1 ch)');
    expect(await s.source.open()).toEqual(FORMAT);
    expect(s.spawned()).toBe(1);
    const got = collect(s.source);
    expect(s.child.sent.at(-1)).toEqual({ type: 'start' });
    s.child.writePcm(pcm(40, 1), [2, 5, 30]);
    s.child.writePcm(pcm(20, 2));
    s.child.message({ type: 'end' });
    s.child.exit(0);
    expect(await got.done).toBeNull();
    expect(got.chunks).toEqual([pcm(40, 1), pcm(20, 2)]);
    expect(s.source.stats()).toEqual({ overflows: 0, bytes: 60, lostMs: 0 });
    expect(s.errors).toEqual([]);
  });

  it("rejects open with the child's own error, code, detail and message intact", async () => {
    const s = setup();
    const original = new EarshotError('DEVICE_NOT_FOUND', 'no input device is named like "nope". Inputs: 0 "pulse", 1 "default"');
    s.child.onSent = (m) => {
      if (m.type !== 'open') return;
      s.child.message({ type: 'error', error: original.toInfo(), text: original.message });
      s.child.exit(1);
    };
    const err = (await s.source.open().catch((e: unknown) => e)) as EarshotError;
    expect(err).toBeInstanceOf(EarshotError);
    expect([err.code, err.detail, err.message]).toEqual([original.code, original.detail, original.message]);
    await tick();
    await s.source.close();
    expect(s.child.signals).toEqual([]);
    expect(s.errors).toEqual([]);
  });

  it('explains a child that dies before opening, with what it printed', async () => {
    const s = setup();
    s.child.onSent = () => {
      s.child.writeStderr('ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.front\n');
      s.child.writeStderr('node: symbol lookup error: naudiodon.node: undefined symbol: Pa_Foo\n');
      s.child.exit(127);
    };
    const err = (await s.source.open().catch((e: unknown) => e)) as EarshotError;
    expect(err.code).toBe('DEVICE_OPEN_FAILED');
    expect(err.detail).toBe(
      'input earshot_test.monitor: the audio capture process exited with code 127 before the device opened (node: symbol lookup error: naudiodon.node: undefined symbol: Pa_Foo)',
    );
    expect(s.stderr.join('')).toBe('[earshot audio] node: symbol lookup error: naudiodon.node: undefined symbol: Pa_Foo\n');
  });

  it('gives up on a driver that never opens, and kills the child', async () => {
    const s = setup({ openTimeoutMs: 5000 });
    const result = s.source.open().catch((e: unknown) => e);
    s.clock.advance(4999);
    expect(s.child.signals).toEqual([]);
    s.clock.advance(1);
    const err = (await result) as EarshotError;
    expect([err.code, err.detail]).toEqual(['DEVICE_OPEN_FAILED', 'input earshot_test.monitor: the audio driver did not open the device within 5 s']);
    expect(s.child.signals).toEqual(['SIGKILL']);
    await tick();
    expect(s.errors).toEqual([]);
  });

  it('drops the oldest audio when the consumer falls behind, and says how much', async () => {
    // 1000 Hz mono s16: 100 ms = 200 bytes; each chunk is 20 ms.
    const s = await opened({ maxQueuedMs: 100 });
    const it = s.source.chunks()[Symbol.asyncIterator]();
    const first = it.next(); // starts capture
    s.child.writePcm(pcm(40, 1));
    expect((await first).value).toEqual(pcm(40, 1));
    for (let i = 2; i <= 11; i++) s.child.writePcm(pcm(40, i)); // nothing reads these yet
    await tick();
    expect(s.overflows.map((e) => e.where)).toEqual(['queue', 'queue', 'queue', 'queue', 'queue']);
    expect(s.overflows.at(-1)).toEqual({ lostMs: 20, overflows: 5, totalLostMs: 100, where: 'queue' });
    const rest: number[] = [];
    for (let i = 0; i < 5; i++) rest.push(((await it.next()).value as Buffer)[0]!);
    expect(rest).toEqual([7, 8, 9, 10, 11]);
    expect(s.source.stats()).toEqual({ overflows: 5, bytes: 440, lostMs: 100 });
  });

  it("adds the child's overflow reports to the same running totals", async () => {
    const s = await opened();
    s.child.message({ type: 'overflow', lostMs: 30, where: 'driver' });
    s.child.message({ type: 'overflow', lostMs: 12.5, where: 'queue' });
    s.child.message({ type: 'overflow', lostMs: 'lots', where: 'driver' }); // malformed: ignored
    expect(s.overflows).toEqual([
      { lostMs: 30, overflows: 1, totalLostMs: 30, where: 'driver' },
      { lostMs: 12.5, overflows: 2, totalLostMs: 42.5, where: 'queue' },
    ]);
  });

  it('ends chunks() with DEVICE_LOST when the child is killed, after the audio it had sent', async () => {
    const s = await opened();
    const got = collect(s.source);
    s.child.writePcm(pcm(40, 7));
    s.child.exit(null, 'SIGKILL');
    const err = (await got.done) as EarshotError;
    expect(got.chunks).toEqual([pcm(40, 7)]);
    expect([err.code, err.detail]).toEqual(['DEVICE_LOST', 'Monitor of Null Output (1000 Hz, 1 ch): the audio capture process was killed by SIGKILL']);
    expect(s.errors).toEqual([err.toInfo()]);
  });

  it('treats a child that exits without saying `end` as lost', async () => {
    const s = await opened();
    const got = collect(s.source);
    s.child.exit(0);
    expect(((await got.done) as EarshotError).code).toBe('DEVICE_LOST');
  });

  it("ends chunks() with the child's capture error as soon as it is known", async () => {
    const s = await opened();
    const got = collect(s.source);
    const lost = new EarshotError('DEVICE_LOST', 'pulse (device 0): Input overflowed');
    s.child.message({ type: 'error', error: lost.toInfo(), text: lost.message });
    expect(s.errors).toEqual([lost.toInfo()]);
    s.child.message({ type: 'end' });
    s.child.exit(1);
    const err = (await got.done) as EarshotError;
    expect([err.code, err.message]).toEqual(['DEVICE_LOST', lost.message]);
    expect(s.errors).toHaveLength(1);
  });

  it('close() asks the child to stop, ends chunks(), and is idempotent', async () => {
    const s = await opened();
    s.child.onSent = (m) => {
      if (m.type === 'stop') s.child.exit(0);
    };
    const got = collect(s.source);
    const a = s.source.close();
    expect(s.source.close()).toBe(a);
    await a;
    expect(await got.done).toBeNull();
    expect(s.child.sent.map((m) => m.type)).toEqual(['open', 'start', 'stop']);
    expect(s.child.signals).toEqual([]);
    expect(s.errors).toEqual([]);
  });

  it('kills a child that does not stop within the grace period', async () => {
    const s = await opened({ stopGraceMs: 2500 });
    const closing = s.source.close();
    await tick();
    s.clock.advance(2499);
    expect(s.child.signals).toEqual([]);
    s.clock.advance(1);
    await closing;
    expect(s.child.signals).toEqual(['SIGKILL']);
    expect(s.errors).toEqual([]);
  });

  it('does not hang on a child that survives SIGKILL (a stuck pipe)', async () => {
    const s = await opened({ stopGraceMs: 100 });
    s.child.diesOnSignal = false;
    const closing = s.source.close();
    await s.clock.advanceAsync(100);
    await s.clock.advanceAsync(1000);
    await closing;
    expect(s.child.signals).toEqual(['SIGKILL']);
  });

  it('close() during open rejects the open and stops the child', async () => {
    const s = setup();
    s.child.onSent = (m) => {
      if (m.type === 'stop') s.child.exit(0);
    };
    const opening = s.source.open().catch((e: unknown) => e);
    await s.source.close();
    expect(((await opening) as EarshotError).code).toBe('DEVICE_OPEN_FAILED');
    expect(((await s.source.open().catch((e: unknown) => e)) as EarshotError).code).toBe('DEVICE_OPEN_FAILED');
    expect(s.spawned()).toBe(1);
  });

  it('refuses chunks() before open()', async () => {
    const s = setup();
    await expect(s.source.chunks().next()).rejects.toThrow(/chunks\(\) before open\(\)/);
  });

  it("filters the child's stderr", async () => {
    const s = await opened();
    s.child.writeStderr('ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.rear\njack server is not running or cannot be started\n');
    s.child.writeStderr('PID 9 received SIGSEGV for address: 0x0\n');
    await tick();
    expect(s.stderr).toEqual(['[earshot audio] PID 9 received SIGSEGV for address: 0x0\n']);
  });
});

describe('resolveSource with isolateCapture', () => {
  it('captures mic, system and device: in a child, and reads files in-process', async () => {
    const env = { isolateCapture: true, platform: 'linux' as const };
    for (const spec of ['mic', 'system', 'device:3', 'device:earshot_test.monitor']) {
      expect(await resolveSource(spec, env)).toBeInstanceOf(ChildCaptureSource);
    }
    expect(await resolveSource('file:/tmp/x.wav', env)).toBeInstanceOf(WavFileSource);
    expect(await resolveSource('mic', { platform: 'linux' })).not.toBeInstanceOf(ChildCaptureSource);
    await expect(resolveSource('system', { isolateCapture: true, platform: 'darwin' })).rejects.toMatchObject({ code: 'SYSTEM_AUDIO_UNSUPPORTED' });
  });

  it('hands the spec to the child it spawns', async () => {
    const child = new FakeCaptureProcess();
    child.onSent = (m) => void (m.type === 'stop' && child.exit(0));
    const source = await resolveSource('system', { isolateCapture: true, platform: 'linux', spawnCapture: () => child });
    void source.open().catch(() => undefined);
    expect(child.sent[0]).toMatchObject({ type: 'open', spec: 'system' });
    await source.close();
    expect(child.sent.map((m) => m.type)).toEqual(['open', 'stop']);
  });
});

describe('device listing in a child', () => {
  const INPUT: AudioDevice = { id: '0', name: 'pulse', hostApi: 'ALSA', kind: 'input', defaultSampleRate: 44100, maxInputChannels: 32, isDefault: true };

  function listingChild(reply: (c: FakeCaptureProcess) => void): FakeCaptureProcess {
    const child = new FakeCaptureProcess();
    child.onSent = (m) => {
      if (m.type === 'list-inputs') reply(child);
    };
    return child;
  }

  it('returns the inputs the child found, next to the monitors', async () => {
    const child = listingChild((c) => {
      c.writeStderr('ALSA lib confmisc.c:855:(parse_card) cannot find card \'0\'\n');
      c.message({ type: 'inputs', devices: [INPUT] });
      c.exit(0);
    });
    const stderr: string[] = [];
    expect(await listInputsInChild({ spawn: () => child, stderr: (t) => stderr.push(t) })).toEqual([INPUT]);
    expect(stderr).toEqual([]);
    const pactl = async (args: string[]) => (args.join(' ') === '-f json list sources' ? '[]' : '');
    const listing = await listAllDevices({ isolateCapture: true, platform: 'linux', pactl, spawnCapture: () => listingChild((c) => (c.message({ type: 'inputs', devices: [INPUT] }), c.exit(0))) });
    expect(listing.devices).toEqual([INPUT]);
  });

  it("reports the child's error, or its death, as a note", async () => {
    const failing = listingChild((c) => {
      c.message({ type: 'error', error: new EarshotError('DEVICE_OPEN_FAILED', 'naudiodon2 could not be loaded').toInfo(), text: '' });
      c.exit(1);
    });
    await expect(listInputsInChild({ spawn: () => failing })).rejects.toMatchObject({ code: 'DEVICE_OPEN_FAILED', detail: 'naudiodon2 could not be loaded' });
    const listing = await listAllDevices({ isolateCapture: true, platform: 'darwin', spawnCapture: () => listingChild((c) => c.exit(null, 'SIGSEGV')) });
    expect(listing.devices).toEqual([]);
    expect(listing.notes[0]).toMatch(/^Inputs could not be listed: .*the audio capture process was killed by SIGSEGV/);
  });

  it('kills a listing that never answers', async () => {
    const clock = new FakeClock();
    const child = new FakeCaptureProcess();
    const listing = listInputsInChild({ spawn: () => child, clock, timeoutMs: 1000 }).catch((e: unknown) => e);
    clock.advance(1000);
    expect(child.signals).toEqual(['SIGKILL']);
    expect(((await listing) as EarshotError).detail).toBe('listing devices took longer than 1 s');
  });
});

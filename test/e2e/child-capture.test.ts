/**
 * Capture in a child process, for real: speech played into a PulseAudio null sink is captured from
 * its monitor by the built capture child (out/main/audio/capture-child.js, PortAudio through ALSA's
 * pulse plugin), streamed to this process over the PCM pipe, and compared with the file. Also: a
 * device error crosses the process boundary unchanged, and a child killed with SIGKILL mid-capture
 * ends chunks() with DEVICE_LOST instead of hanging.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChildScript, spawnCaptureProcess } from '../../main/audio/capture-process.js';
import { ChildCaptureSource } from '../../main/audio/child-capture-source.js';
import { resolveSource } from '../../main/audio/system-audio.js';
import type { AudioOverflowEvent } from '../../main/audio/types.js';
import { EarshotError, type ErrorInfo } from '../../shared/errors.js';
import { expectSameSpeech, recordWhilePlaying, SPEECH, withTimeout } from './helpers/speech-file.js';
import { ensurePulse, loadModule } from './pulse-env.js';

const SINK = `earshot_child_${process.pid}`;

let unavailable: string | null = null;
const cleanups: Array<() => Promise<void>> = [];
const savedXdg = process.env.XDG_RUNTIME_DIR;

beforeAll(async () => {
  if (!existsSync(defaultChildScript())) throw new Error(`${defaultChildScript()} is missing: run \`npx tsc -p tsconfig.json\` first`);
  if (!existsSync(SPEECH)) unavailable = `${SPEECH} is missing (apt-get install pocketsphinx-testdata)`;
  else unavailable = await ensurePulse();
  if (unavailable) return;
  cleanups.push(await loadModule('module-null-sink', `sink_name=${SINK}`));
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  if (savedXdg === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = savedXdg;
});

function needPulse(ctx: { skip(note?: string): void }): void {
  if (!unavailable) return;
  const reason = `PulseAudio is not available: ${unavailable}`;
  if (process.env.CI) throw new Error(`${reason} (required in CI)`);
  ctx.skip(reason);
}




/** A source whose child's pid the test can see, and whose filtered stderr it collects. */
function childSource(spec: string) {
  const stderr: string[] = [];
  let pid: number | undefined;
  const source = new ChildCaptureSource({
    spec,
    stderr: (t) => stderr.push(t),
    spawn: () => {
      const c = spawnCaptureProcess();
      pid = c.pid;
      return c;
    },
  });
  return { source, stderr, pid: () => pid };
}

describe('capture in a child process (real PulseAudio)', () => {
  it('captures speech played into a sink through the child, matching the file', async (ctx) => {
    needPulse(ctx);
    const { source, stderr } = childSource(`device:${SINK}.monitor`);
    const format = await withTimeout(source.open(), 20_000, 'open in the child');
    expect(source.description).toContain(`${SINK}.monitor`);
    const overflows: AudioOverflowEvent[] = [];
    const errors: ErrorInfo[] = [];
    source.onOverflow((e) => overflows.push(e));
    source.onError((e) => errors.push(e));
    const captured = await recordWhilePlaying(source, format, SINK, (chunk) => expect(chunk.length % (format.channels * 2)).toBe(0));
    console.info(`child capture: ${format.sampleRate} Hz ${format.channels} ch, ${await expectSameSpeech(captured)}, overflows ${overflows.length}`);
    expect(source.stats().bytes).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    // The child printed ~150 ALSA/JACK lines and naudiodon's stream details; none of it got through.
    expect(stderr.join('')).toBe('');
  }, 60_000);

  it('reports a missing device from the child exactly as in-process capture does', async (ctx) => {
    needPulse(ctx);
    const spec = `device:no_such_device_${process.pid}`;
    const { source } = childSource(spec);
    const fromChild = await withTimeout(source.open(), 20_000, 'open in the child').then(
      () => null,
      (e: unknown) => e,
    );
    await source.close();
    const inProcess = await (await resolveSource(spec)).open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(fromChild).toBeInstanceOf(EarshotError);
    expect(inProcess).toBeInstanceOf(EarshotError);
    const [c, p] = [fromChild as EarshotError, inProcess as EarshotError];
    expect(c.code).toBe('DEVICE_NOT_FOUND');
    expect(c.detail).toMatch(new RegExp(`^no input device is named like "no_such_device_${process.pid}"\\. Inputs: `));
    expect([c.code, c.detail, c.message]).toEqual([p.code, p.detail, p.message]);
  }, 30_000);

  it('keeps capturing through a Ctrl+C aimed at the child, and ends with DEVICE_LOST when it is killed', async (ctx) => {
    needPulse(ctx);
    const { source, pid } = childSource(`device:${SINK}.monitor`);
    await withTimeout(source.open(), 20_000, 'open in the child');
    const errors: ErrorInfo[] = [];
    source.onError((e) => errors.push(e));
    let received = 0;
    let firstChunk!: () => void;
    const flowing = new Promise<void>((r) => (firstChunk = r));
    const capturing = (async () => {
      for await (const chunk of source.chunks()) {
        received += chunk.length;
        firstChunk();
      }
    })().then(
      () => null,
      (e: unknown) => e,
    );
    try {
      await withTimeout(flowing, 15_000, 'first audio from the child');
      // A terminal's Ctrl+C reaches the whole process group; only the parent decides when capture stops.
      process.kill(pid()!, 'SIGINT');
      const before = received;
      await withTimeout(
        (async () => {
          while (received <= before) await new Promise((r) => setTimeout(r, 50));
        })(),
        5000,
        'audio after SIGINT',
      );
      expect(errors).toEqual([]);
      process.kill(pid()!, 'SIGKILL');
      const ended = await withTimeout(capturing, 5000, 'chunks() to end after SIGKILL');
      expect(ended).toBeInstanceOf(EarshotError);
      const err = ended as EarshotError;
      expect(err.code).toBe('DEVICE_LOST');
      expect(err.detail).toMatch(/the audio capture process was killed by SIGKILL$/);
      expect(errors).toEqual([err.toInfo()]);
      expect(received).toBeGreaterThan(0);
    } finally {
      await withTimeout(source.close(), 5000, 'close after the child died');
    }
  }, 40_000);
});

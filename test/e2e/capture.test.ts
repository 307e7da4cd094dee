/**
 * Real capture: speech played into a PulseAudio null sink with paplay is captured from the sink's
 * monitor through PortAudio (naudiodon2) on the `--source system` path, converted to 16 kHz mono,
 * and compared with the file. A decoy sink is made the default *source*, so the test only passes if
 * PULSE_SOURCE really routes the capture to the monitor we asked for.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConverter } from '../../main/audio/converter.js';
import { resolveSource } from '../../main/audio/system-audio.js';
import type { AudioOverflowEvent, AudioSource } from '../../main/audio/types.js';
import { concat, RATE, readFile16k, SPEECH, withTimeout } from './helpers/speech-file.js';
import { align, alignWindows, rmsOf } from './pulse-align.js';
import { ensurePulse, loadModule, play, sh } from './pulse-env.js';

// A sink of our own: nothing else plays into it, even when another suite shares the daemon.
const TEST_SINK = `earshot_sys_${process.pid}`;


let unavailable: string | null = null;
const cleanups: Array<() => Promise<void>> = [];
const savedXdg = process.env.XDG_RUNTIME_DIR;

beforeAll(async () => {
  if (!existsSync(SPEECH)) unavailable = `${SPEECH} is missing (apt-get install pocketsphinx-testdata)`;
  else unavailable = await ensurePulse();
  if (unavailable) return;
  cleanups.push(await loadModule('module-null-sink', 'sink_name=earshot_decoy'));
  cleanups.push(await loadModule('module-null-sink', `sink_name=${TEST_SINK}`));
  const defaultSource = (await sh('pactl', ['get-default-source'])).trim();
  await sh('pactl', ['set-default-source', 'earshot_decoy.monitor']);
  await sh('pactl', ['set-default-sink', TEST_SINK]);
  cleanups.push(async () => void (await sh('pactl', ['set-default-source', defaultSource]).catch(() => undefined)));
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  if (savedXdg === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = savedXdg;
});




describe('real capture through PulseAudio and PortAudio', () => {
  it('captures speech played to the default output, matching the file', async (ctx) => {
    if (unavailable) {
      const reason = `PulseAudio is not available: ${unavailable}`;
      if (process.env.CI) throw new Error(`${reason} (required in CI)`);
      ctx.skip(reason);
    }
    const source: AudioSource = await resolveSource('system');
    const format = await source.open();
    expect(source.description).toContain(`${TEST_SINK}.monitor`);
    const overflows: AudioOverflowEvent[] = [];
    source.onOverflow?.((e) => overflows.push(e));
    const conv = createConverter(format, RATE);
    const parts: Int16Array[] = [];
    let firstChunk!: () => void;
    const flowing = new Promise<void>((r) => (firstChunk = r));
    const capturing = (async () => {
      for await (const chunk of source.chunks()) {
        parts.push(conv.push(chunk));
        firstChunk();
      }
      parts.push(conv.flush());
    })();
    try {
      await withTimeout(flowing, 15_000, 'first audio from the monitor');
      await withTimeout(play(SPEECH, TEST_SINK), 20_000, 'paplay');
      await new Promise((r) => setTimeout(r, 800)); // the monitor's latency tail
    } finally {
      await source.close();
      await withTimeout(capturing, 5000, 'capture to end after close');
    }

    const captured = concat(parts);
    const ref = await readFile16k(SPEECH);
    expect(captured.length).toBeGreaterThan(ref.length);
    const a = align(captured, ref, RATE);
    const w = alignWindows(captured, ref, RATE);
    const after = rmsOf(captured, w.lastLag + ref.length + RATE / 10, captured.length);
    console.info(
      `capture: ${format.sampleRate} Hz ${format.channels} ch, ${(captured.length / RATE).toFixed(2)} s captured, speech at ` +
        `${(a.lag / RATE).toFixed(3)} s, corr ${a.corr.toFixed(4)} whole / ${w.medianCorr.toFixed(4)} median of ${w.windows.length} windows ` +
        `(${(w.goodShare * 100).toFixed(0)} % > 0.95), drift ${(((w.lastLag - w.firstLag) / RATE) * 1000).toFixed(1)} ms, gain ${a.gainDb.toFixed(2)} dB, overflows ${overflows.length}`,
    );
    // Same waveform, window by window: PulseAudio resampled 16k → 44.1k and we resampled back;
    // both filters are near-transparent for speech. A busy machine may make the audio server skip
    // a few milliseconds, so one whole-file correlation is not required, but nearly every part is.
    expect(w.windows.length).toBeGreaterThanOrEqual(6);
    expect(w.goodShare).toBeGreaterThanOrEqual(0.85);
    expect(w.medianCorr).toBeGreaterThan(0.97);
    // Captured audio is never lost (no earlier drift); a stalled paplay may insert silence.
    expect(w.lastLag - w.firstLag).toBeGreaterThan(-RATE / 100);
    expect(w.lastLag - w.firstLag).toBeLessThan(RATE);
    expect(Math.abs(w.medianGainDb)).toBeLessThan(1);
    // Same duration: the whole file is inside the capture, and nothing but silence follows it.
    expect(w.lastLag + ref.length).toBeLessThanOrEqual(captured.length);
    expect(after).toBeLessThan(rmsOf(ref, 0, ref.length) / 1000);
  }, 60_000);
});

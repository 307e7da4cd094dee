/**
 * Real capture: speech played into a PulseAudio null sink with paplay is captured from the sink's
 * monitor through PortAudio (naudiodon2) on the `--source system` path, converted to 16 kHz mono,
 * and compared with the file. A decoy sink is made the default *source*, so the test only passes if
 * PULSE_SOURCE really routes the capture to the monitor we asked for.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSource } from '../../main/audio/system-audio.js';
import type { AudioOverflowEvent, AudioSource } from '../../main/audio/types.js';
import { expectSameSpeech, recordWhilePlaying, SPEECH } from './helpers/speech-file.js';
import { ensurePulse, loadModule, sh } from './pulse-env.js';

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
    const captured = await recordWhilePlaying(source, format, TEST_SINK);
    console.info(`capture: ${format.sampleRate} Hz ${format.channels} ch, ${await expectSameSpeech(captured)}, overflows ${overflows.length}`);
  }, 60_000);
});

/**
 * Live capture that recovers: `earshot caption` captures a PulseAudio monitor through the
 * real capture child (PortAudio → ALSA pulse plugin) while the sound server is killed and
 * started again on the same socket, as a crash or a package update does. The run must say
 * the source was lost, then resumed, and the speech played after the restart must reach the
 * (Fireworks-faithful) speech service and come out as captions, word for word.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { PrivatePulse } from './helpers/private-pulse.js';
import { startCli } from './helpers/run-cli.js';

const KEY = 'fw-restart-key-5151';
const pulse = new PrivatePulse('restart_sink');
let unavailable: string | null = null;
let server: FireworksServer;
let before: ToneSpeech;
let after: ToneSpeech;
let dir: string;

beforeAll(async () => {
  try {
    await pulse.start();
  } catch (err) {
    unavailable = err instanceof Error ? err.message : String(err);
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'earshot-restart-'));
  // Two sentences each: a caption is final once the next sentence has begun.
  before = makeToneSpeech({ words: 6, seed: 41, rate: 16000, leadInMs: 300, sentence: { min: 3, max: 3 } });
  after = makeToneSpeech({ words: 6, seed: 42, rate: 16000, leadInMs: 300, sentence: { min: 3, max: 3 } });
  writeWav(join(dir, 'before.wav'), before.samples, 16000, 1);
  writeWav(join(dir, 'after.wav'), after.samples, 16000, 1);
  server = await startFireworksServer({ apiKey: KEY });
}, 60_000);

afterAll(async () => {
  await pulse.dispose();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const firstSentence = (s: ToneSpeech) => s.words.filter((w) => w.sentence === 0).map((w) => w.text).join(' ');

describe('live capture across a sound-server restart', () => {
  it('says the source was lost, reopens it, and captions what is played after the restart', async (ctx) => {
    if (unavailable) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      ctx.skip();
      return;
    }
    const cli = startCli(['caption', '--source', `device:${pulse.sink}.monitor`, '--endpoint', server.url, '--api-key', KEY], pulse.env, 120_000);
    await cli.waitFor(/live · streaming to Fireworks AI/, 20_000, 'stderr');
    // ALSA's pulse plugin takes up to ~2 s before the first audio flows.
    await new Promise((r) => setTimeout(r, 2500));
    await pulse.play(join(dir, 'before.wav'));
    await cli.waitFor(new RegExp(firstSentence(before)), 15_000, 'stdout');

    await pulse.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await pulse.start();
    const lost = await cli.waitFor(/stopped delivering audio\. Check that it is still connected\. \(no audio from [^\n]*; reopening it\)/, 20_000, 'stderr');
    const back = await cli.waitFor(/delivering audio again; captions continue\. \(audio from [^\n]* again after [\d.]+ s\)/, 30_000, 'stderr');
    expect(cli.output().stderr.indexOf(lost)).toBeLessThan(cli.output().stderr.indexOf(back));

    await new Promise((r) => setTimeout(r, 2500));
    await pulse.play(join(dir, 'after.wav'));
    // Audio captured after the restart reached the speech service and came back as captions.
    await cli.waitFor(new RegExp(firstSentence(after)), 15_000, 'stdout');
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code, r.stderr).toBe(0);
    // Every word, before and after the restart, once and in order.
    expect(r.stdout.trim().split(/\s+/).join(' ')).toBe(`${before.text} ${after.text}`);
    expect(server.violations()).toEqual([]);
  }, 150_000);
});

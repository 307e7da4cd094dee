/**
 * The whole product path on real audio: tone speech played with paplay into a PulseAudio
 * null sink, captured from its monitor by `earshot caption --source device:<monitor>`
 * (PortAudio through ALSA's pulse plugin, 44.1 kHz stereo → 16 kHz mono), streamed to the
 * Fireworks-faithful server, stopped with Ctrl+C. The transcript must be exactly the words
 * that were played.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { startCli } from './helpers/run-cli.js';
import { ensurePulse, loadModule, play, PULSE_RUNTIME_DIR } from './pulse-env.js';

const KEY = 'fw-capture-key-4242';
const SINK = `earshot_cli_${process.pid}`;
let unavailable: string | null = null;
const cleanups: Array<() => Promise<void>> = [];
let server: FireworksServer;
let speech: ToneSpeech;
let wav: string;
let dir: string;

beforeAll(async () => {
  unavailable = await ensurePulse();
  if (unavailable) return;
  cleanups.push(await loadModule('module-null-sink', `sink_name=${SINK}`));
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-capture-'));
  speech = makeToneSpeech({ words: 10, seed: 31, rate: 16000, leadInMs: 500 });
  wav = join(dir, 'tones.wav');
  writeWav(wav, speech.samples, 16000, 1);
  server = await startFireworksServer({ apiKey: KEY });
  cleanups.push(() => server.close());
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('earshot caption from a real audio device', () => {
  it('captions what is played into a PulseAudio sink, then stops cleanly on Ctrl+C', async (ctx) => {
    if (unavailable) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      ctx.skip();
      return;
    }
    const out = join(dir, 'captured.json');
    const cli = startCli(
      ['caption', '--source', `device:${SINK}.monitor`, '--endpoint', server.url, '--api-key', KEY, '--out', out],
      { XDG_RUNTIME_DIR: PULSE_RUNTIME_DIR },
      90_000,
    );
    await cli.waitFor(/live · streaming to Fireworks AI/, 20_000, 'stderr');
    // ALSA's pulse plugin takes up to ~2 s before the first audio flows.
    await new Promise((r) => setTimeout(r, 2500));
    await play(wav, SINK);
    // Let the last word leave the capture queue and the pacer, then stop as a person would.
    await new Promise((r) => setTimeout(r, 2000));
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(KEY);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { segments: { start: number; end: number; text: string }[]; text: string };
    expect(json.text).toBe(speech.text);
    // Captions only on stdout (`earshot caption > notes.txt`): PortAudio's printf's stay in the capture child,
    // and its ALSA/JACK probing noise is filtered out of stderr.
    expect(r.stdout.trimEnd().split('\n')).toEqual(json.segments.map((s) => s.text));
    expect(r.stdout).not.toMatch(/PortAudio|Input audio options|Input device name/);
    expect(r.stderr).not.toMatch(/ALSA lib|jack server|JackShm|Cannot connect to server/);
    const starts = json.segments.map((s) => s.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    // The gaps between captions match the gaps between the played words (capture keeps time).
    const firstWordGap = json.segments[1]!.start - json.segments[0]!.start;
    const sentenceStarts = speech.words.filter((w, i) => i === 0 || w.sentence !== speech.words[i - 1]!.sentence).map((w) => w.start);
    expect(Math.abs(firstWordGap - (sentenceStarts[1]! - sentenceStarts[0]!))).toBeLessThan(0.15);
    expect(server.violations()).toEqual([]);
  });
});

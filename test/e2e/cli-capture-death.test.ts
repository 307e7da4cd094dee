/**
 * Capture that dies mid-sentence, for real: tone speech played into a PulseAudio null sink,
 * captured by `earshot caption --source device:<monitor>` through its capture child, streamed
 * to the Fireworks-faithful server. While a sentence is still being spoken (the server has
 * heard some of its words, none final yet), the capture child is killed with SIGKILL. The run
 * must end with DEVICE_LOST (exit 1) and the sentence being spoken must be in --out as final.
 */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { startCli } from './helpers/run-cli.js';
import { ensurePulse, loadModule, play, PULSE_RUNTIME_DIR } from './pulse-env.js';

const KEY = 'fw-capture-death-4242';
const SINK = `earshot_death_${process.pid}`;
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
  dir = mkdtempSync(join(tmpdir(), 'earshot-capture-death-'));
  speech = makeToneSpeech({ words: 12, seed: 31, rate: 16000, leadInMs: 500, sentence: { min: 5, max: 6 } });
  wav = join(dir, 'tones.wav');
  writeWav(wav, speech.samples, 16000, 1);
  server = await startFireworksServer({ apiKey: KEY });
  cleanups.push(() => server.close());
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Child processes of `pid`, from /proc (no pgrep needed). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 is the parent pid; field 2 (the name) may hold spaces, so read after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('earshot caption when the capture child dies mid-sentence', () => {
  it('ends with DEVICE_LOST and keeps the sentence being spoken, as final, in --out', async (ctx) => {
    if (unavailable) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      ctx.skip();
      return;
    }
    // The second sentence, cut after its second word: its first words are only partial text.
    const second = speech.words.filter((w) => w.sentence === 1);
    expect(second.length).toBeGreaterThanOrEqual(4);
    const firstOfSecond = speech.words.indexOf(second[0]!);
    const out = join(dir, 'killed.json');
    const cli = startCli(
      ['caption', '--source', `device:${SINK}.monitor`, '--endpoint', server.url, '--api-key', KEY, '--out', out],
      { XDG_RUNTIME_DIR: PULSE_RUNTIME_DIR },
      90_000,
    );
    await cli.waitFor(/live · streaming to Fireworks AI/, 20_000, 'stderr');
    await new Promise((r) => setTimeout(r, 2500));
    const playing = play(wav, SINK).catch(() => undefined);
    const heard = () => server.connections[0]?.responder.recognizer.words() ?? [];
    await until(() => heard().length >= firstOfSecond + 2, 30_000, 'two words of the second sentence at the server');
    const spoken = heard().slice(firstOfSecond).map((w) => w.text);
    // Nothing of the second sentence is final on screen yet: it is the open partial.
    const printedWords = cli.output().stdout.split(/\s+/).filter(Boolean).length;
    expect(printedWords).toBeLessThanOrEqual(firstOfSecond);
    const children = childrenOf(cli.child.pid!);
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    const r = await cli.result;
    await playing;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/earshot: .*audio device stopped delivering/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { text: string; segments: { text: string }[] };
    // Everything up to the kill, the open sentence included; nothing invented.
    expect(speech.text.startsWith(json.text)).toBe(true);
    const kept = json.text.split(' ');
    expect(kept.length).toBeGreaterThanOrEqual(firstOfSecond + 1);
    expect(kept.slice(firstOfSecond, firstOfSecond + 1)).toEqual(spoken.slice(0, 1));
  }, 120_000);
});

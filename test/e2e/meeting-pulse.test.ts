/**
 * The meeting set-up itself (helpers/meeting-pulse.ts), before any Earshot code is involved:
 * on a private PulseAudio daemon, two passages played at once land each on its own sink's
 * monitor, the system sink is the default output, and the echo copy arrives about 12 dB
 * quieter and 40 ms later. The passage recogniser hears each monitor's capture (PulseAudio's
 * own 16k → 44.1k → 16k round trip) as exactly its transcript.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { librivoxCatalogue, type Passage } from '../fakes/passage-catalogue.js';
import { PassageRecognizer } from '../fakes/passage-asr.js';
import type { RecognizedWord } from '../fakes/tone-asr.js';
import { MeetingPulse, writeEchoCopy, writePassages } from './helpers/meeting-pulse.js';
import { align } from './pulse-align.js';

const catalogue = librivoxCatalogue();
const byId = (suffix: string) => catalogue.references.map((r) => r.passage).find((p) => p.id.endsWith(suffix))!;
let meeting: MeetingPulse | undefined;
let unavailable: string | null = null;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-meeting-pulse-'));
  try {
    meeting = await MeetingPulse.start();
  } catch (err) {
    unavailable = err instanceof Error ? err.message : String(err);
  }
}, 60_000);

afterAll(async () => {
  await meeting?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function hear(samples: Int16Array): RecognizedWord[] {
  const r = new PassageRecognizer({ rate: 16000, catalogue });
  for (let at = 0; at < samples.length; at += 1600) r.feed(samples.subarray(at, at + 1600));
  r.flush();
  return r.words();
}

/** Records both monitors while the two files play together. */
async function playAndRecord(m: MeetingPulse, micFile: string, systemFile: string): Promise<{ mic: Int16Array; system: Int16Array }> {
  const mic = m.record(m.micSink);
  const system = m.record(m.systemSink);
  await new Promise((r) => setTimeout(r, 700));
  await m.playTogether(micFile, systemFile);
  await new Promise((r) => setTimeout(r, 700));
  return { mic: await mic.stop(), system: await system.stop() };
}

const words = (ps: readonly Passage[]) => ps.flatMap((p) => p.words);

describe('two PulseAudio sinks as a meeting', () => {
  it('keeps the two sides apart, with the system side on the default sink', async (ctx) => {
    if (!meeting) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      return ctx.skip();
    }
    expect(await meeting.defaultSink()).toBe(meeting.systemSink);
    const micSide = [byId('0870'), byId('0880')];
    const systemSide = [byId('0890'), byId('0930')];
    const micFile = writePassages(join(dir, 'mic.wav'), micSide).file;
    const systemFile = writePassages(join(dir, 'system.wav'), systemSide).file;
    const got = await playAndRecord(meeting, micFile, systemFile);
    expect(hear(got.mic).map((w) => w.text)).toEqual(words(micSide));
    expect(hear(got.system).map((w) => w.text)).toEqual(words(systemSide));
  }, 60_000);

  it('plays the echo copy 12 dB quieter and about 40 ms after the original', async (ctx) => {
    if (!meeting) {
      if (process.env.CI) throw new Error(`PulseAudio is required in CI: ${unavailable}`);
      return ctx.skip();
    }
    const passage = byId('0920');
    const systemFile = writePassages(join(dir, 'speakers.wav'), [passage]).file;
    const echoFile = await writeEchoCopy(systemFile, join(dir, 'echo.wav'));
    const got = await playAndRecord(meeting, echoFile, systemFile);
    const onSystem = hear(got.system);
    const onMic = hear(got.mic);
    expect(onSystem.map((w) => w.text)).toEqual(passage.words);
    expect(onMic.map((w) => w.text)).toEqual(passage.words);
    // Where the passage sits in each capture (sample-exact), and how loud.
    const sys = align(got.system, passage.samples, 16000);
    const mic = align(got.mic, passage.samples, 16000);
    const delayMs = (mic.lag - sys.lag) / 16;
    const levelDb = mic.gainDb - sys.gainDb;
    console.log(`echo on the mic side: ${delayMs.toFixed(1)} ms later, ${levelDb.toFixed(1)} dB; correlation ${mic.corr.toFixed(3)} (system ${sys.corr.toFixed(3)}); recogniser word-start delay ${(onMic[0]!.start - onSystem[0]!.start) * 1000} ms`);
    expect(levelDb).toBeGreaterThan(-12.5);
    expect(levelDb).toBeLessThan(-11.5);
    // The players start together to within a few tens of ms.
    expect(Math.abs(delayMs - 40)).toBeLessThan(40);
  }, 60_000);
});

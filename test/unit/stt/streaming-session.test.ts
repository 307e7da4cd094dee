import { afterEach, describe, expect, test, vi } from 'vitest';
import { EarshotError } from '../../../shared/errors.js';
import type { ConnectionStatus } from '../../../shared/status.js';
import { LinkSegments } from '../../../main/stt/link-segments.js';
import { fireworksSpec } from '../../../main/stt/providers/fireworks/spec.js';
import { StreamingSession } from '../../../main/stt/streaming-session.js';
import { FakeClock, seededRandom } from '../../fakes/fake-clock.js';
import { FakeTransportHub } from '../../fakes/fake-transport.js';
import { checkCoverage, compareWithSpeech } from '../../fakes/stream-checks.js';
import { makeToneSpeech } from '../../fakes/tone-asr.js';
import { ENDPOINT, harness, KEY, linkAudio, run, type Harness } from './session-harness.js';

let current: Harness | undefined;
afterEach(() => {
  // Whatever the test, the key never leaves the session and no caption promise was broken.
  if (current) {
    expect(current.rec.dump()).not.toContain(KEY);
    expect(current.rec.problems).toEqual([]);
    expect(current.maxOpen).toBeLessThanOrEqual(1);
  }
  current = undefined;
});
const track = (h: Harness) => (current = h);
const kinds = (statuses: ConnectionStatus[]) => statuses.map((s) => s.kind);
const reconnects = (h: Harness) => h.rec.statuses.filter((s): s is Extract<ConnectionStatus, { kind: 'reconnecting' }> => s.kind === 'reconnecting');

describe('StreamingSession: happy path', () => {
  test('streams in fixed frames, flushes with the final trace, closes 1000, transcript exact', async () => {
    const h = track(harness());
    const r = await run(h, { words: 14 });
    expect(r.result).toEqual({ flushed: true });
    expect(h.hub.links).toHaveLength(1);
    const link = h.hub.links[0]!;
    const frames = link.audioFrames();
    expect(frames.slice(0, -1).every((f) => f.length === 800)).toBe(true);
    expect(frames[frames.length - 1]!.length).toBe(800); // the short tail is padded to 50 ms
    expect(link.texts()).toEqual(['{"event_id":"streaming_complete","object":"stt.input.trace","trace_id":"final"}']);
    expect(link.closedByClient).toBe(1000);
    expect(checkCoverage([linkAudio(link)], r.speech.samples).problems).toEqual([]);
    expect(compareWithSpeech(h.rec.finals(), r.speech.words)).toEqual([]);
    expect(kinds(h.rec.statuses)).toEqual(['connecting', 'live', 'finishing', 'stopped']);
    expect(h.session.stats()).toMatchObject({ capturedSamples: r.speech.samples.length, sentSamples: r.speech.samples.length, droppedSamples: 0, connections: 1, malformedMessages: 0 });
    expect(h.session.stats().backlogSeconds).toBe(0);
    expect(link.request.headers).toEqual({ Authorization: KEY });
  });

  test('audio is never sent ahead of the pushed head', async () => {
    const h = track(harness());
    const r = await run(h, { words: 8, chunkMs: 30 });
    let sent = 0;
    for (const rec of h.hub.links[0]!.sent.filter((s) => s.binary)) {
      sent += (rec.data as Uint8Array).byteLength / 2;
      const head = [...r.pushes].reverse().find(([t]) => t <= rec.at)?.[1] ?? 0;
      if (sent <= r.speech.samples.length) expect(sent).toBeLessThanOrEqual(head);
    }
  });

  test('final results release the backlog: it holds only audio after the last final', async () => {
    const h = track(harness());
    const speech = makeToneSpeech({ words: 12, seed: 5, sentence: { min: 3, max: 3 } });
    let checked = 0;
    const probe = (hh: Harness) => {
      const finals = hh.rec.finals();
      const last = finals[finals.length - 1];
      if (!last) return;
      checked++;
      const expected = hh.session.stats().capturedSamples / 16000 - last.end;
      expect(hh.session.stats().backlogSeconds).toBeCloseTo(expected, 2);
    };
    const r = await run(h, { speech, at: [4000, 6000, 8000, 10_000].map((t) => [t, probe] as [number, typeof probe]) });
    expect(checked).toBeGreaterThan(1);
    expect(r.result?.flushed).toBe(true);
  });
});

describe('StreamingSession: reconnects', () => {
  test('abrupt drop mid-word: backlog replayed from the last final, non-final text replaced, nothing lost or doubled', async () => {
    const h = track(harness());
    const speech = makeToneSpeech({ words: 16, seed: 11 });
    // Drop while a word is being spoken, after the first sentence became final.
    const dropAt = Math.round(speech.words[6]!.start * 1000 + 120);
    const r = await run(h, { speech, at: [[dropAt, (hh) => hh.hub.last.drop(1006)]] });
    expect(r.result?.flushed).toBe(true);
    expect(h.hub.links).toHaveLength(2);
    expect(compareWithSpeech(h.rec.finals(), speech.words)).toEqual([]);
    const cov = checkCoverage(h.hub.links.map(linkAudio), speech.samples);
    expect(cov.problems).toEqual([]);
    // Link 2 starts exactly where link 1's last contiguous final ended.
    const link1Finals = h.rec.finals().filter((s) => s.id.startsWith('1:'));
    expect(link1Finals.length).toBeGreaterThan(0);
    expect(Math.abs(cov.offsets[1]! - link1Finals[link1Finals.length - 1]!.end * 16000)).toBeLessThanOrEqual(16);
    expect(h.rec.removals).toBeGreaterThan(0);
    const rc = reconnects(h);
    expect(rc).toHaveLength(1);
    expect(rc[0]!.reason.code).toBe('NETWORK');
    expect(rc[0]!.backlogSeconds).toBeGreaterThan(0.5);
    expect(rc[0]!.retryInMs).toBeLessThan(500);
  });

  test('a language switch mid-speech reconnects with the new language and loses nothing', async () => {
    const h = track(harness());
    const speech = makeToneSpeech({ words: 16, seed: 11 });
    const switchAt = Math.round(speech.words[6]!.start * 1000 + 120);
    const r = await run(h, { speech, at: [[switchAt, (hh) => hh.session.reconfigure({ apiKey: KEY, endpoint: ENDPOINT, language: 'de' })]] });
    expect(r.result?.flushed).toBe(true);
    expect(h.hub.links.map((l) => new URL(l.request.url).searchParams.get('language'))).toEqual(['en', 'de']);
    expect(compareWithSpeech(h.rec.finals(), speech.words)).toEqual([]);
    expect(checkCoverage(h.hub.links.map(linkAudio), speech.samples).problems).toEqual([]);
    const rc = reconnects(h);
    expect(rc).toHaveLength(1);
    expect(rc[0]!.reason).toMatchObject({ code: 'RECONFIGURING' });
    // A bad new setting is refused before the running link is touched.
    expect(() => h.session.reconfigure({ apiKey: KEY, endpoint: 'http://example.com/x' })).toThrow();
  });

  test('N reconnects with mixed id types: times continuous across every link', async () => {
    for (const idStyle of ['number', 'string', 'seg'] as const) {
      const h = track(harness({ responder: { idStyle, retractEvery: 4 } }));
      const speech = makeToneSpeech({ words: 30, seed: 21 });
      const drops: Array<[number, (hh: Harness) => void]> = [2500, 6100, 9700, 13_300, 16_900].map((t, i) => [
        t,
        (hh) => (i % 2 ? hh.hub.last.drop(1011, 'internal error') : hh.hub.last.drop(1006)),
      ]);
      const r = await run(h, { speech, at: drops });
      expect(r.result?.flushed).toBe(true);
      expect(h.hub.links.length).toBe(6);
      expect(compareWithSpeech(h.rec.finals(), speech.words)).toEqual([]);
      expect(checkCoverage(h.hub.links.map(linkAudio), speech.samples).problems).toEqual([]);
      // Final ids come from several links.
      expect(new Set(h.rec.finals().map((s) => s.id.split(':')[0])).size).toBeGreaterThan(2);
      expect(h.rec.problems).toEqual([]);
    }
  });

  test('handshake 503 then success: retried with backoff, reason HANDSHAKE_FAILED', async () => {
    const h = track(
      harness({
        onLink: (link, _h, open) => (link.index === 0 ? _h.clock.setTimeout(() => link.refuse(503, 'busy'), 10) : open()),
      }),
    );
    const r = await run(h, { words: 6 });
    expect(r.result?.flushed).toBe(true);
    expect(reconnects(h)[0]!.reason).toMatchObject({ code: 'HANDSHAKE_FAILED', detail: `cannot connect to ${ENDPOINT}: HTTP 503: busy` });
    expect(compareWithSpeech(h.rec.finals(), r.speech.words)).toEqual([]);
  });

  test('a silent link (no pong, no message) is detected by ping within 5 s and replaced', async () => {
    let stalledAt = 0;
    const h = track(harness());
    const speech = makeToneSpeech({ words: 14, seed: 4 });
    const stall = (hh: Harness) => {
      const link = hh.hub.last;
      link.autoPong = false;
      link.onClientSend = undefined; // the server stops answering
      stalledAt = hh.clock.now();
    };
    const r = await run(h, { speech, at: [[3000, stall]] });
    const dead = h.hub.links[0]!;
    expect(dead.closedByClient).toBe('terminate');
    const rc = reconnects(h)[0]!;
    expect(rc.reason.code).toBe('LINK_STALLED');
    const killedAt = dead.sent[dead.sent.length - 1]!.at; // it sent until the kill
    expect(killedAt - stalledAt).toBeLessThanOrEqual(5000 + 20);
    expect(killedAt - stalledAt).toBeGreaterThanOrEqual(2500);
    expect(r.result?.flushed).toBe(true);
    expect(compareWithSpeech(h.rec.finals(), speech.words)).toEqual([]);
    expect(dead.pings).toBeGreaterThan(0);
  });

  test('in-band error then close 1011: a warning, then a retry with reason SERVER_ERROR', async () => {
    const h = track(harness());
    const r = await run(h, {
      words: 10,
      at: [[2500, (hh) => { hh.hub.last.receive({ error: 'model overloaded' }); hh.hub.last.drop(1011, 'overloaded'); }]],
    });
    expect(h.rec.warnings.map((w) => w.code)).toContain('SERVER_ERROR');
    expect(reconnects(h)[0]!.reason.code).toBe('SERVER_ERROR');
    expect(r.result?.flushed).toBe(true);
    expect(compareWithSpeech(h.rec.finals(), r.speech.words)).toEqual([]);
  });

  test('drop after the end-of-stream trace: the new link replays and ends again; flushed', async () => {
    const h2 = track(
      harness({
        onLink: (link, hh, open) => {
          open();
          const respond = link.onClientSend!;
          link.onClientSend = (data, binary) => {
            if (!binary && link.index === 0) {
              hh.clock.setTimeout(() => link.drop(1006), 5);
              return;
            }
            respond(data, binary);
          };
        },
      }),
    );
    const r = await run(h2, { words: 9 });
    expect(r.result).toEqual({ flushed: true });
    expect(h2.hub.links).toHaveLength(2);
    expect(h2.hub.links[1]!.texts()).toHaveLength(1);
    expect(h2.rec.transcript()).toBe(r.speech.text);
    expect(compareWithSpeech(h2.rec.finals(), r.speech.words)).toEqual([]);
  });
});

describe('StreamingSession: fatal and bounded failures', () => {
  test('a link that keeps dying while finishing: gives up after maxFinishReconnects, keeps what was heard', async () => {
    const h = track(
      harness({
        session: { maxFinishReconnects: 2 },
        onLink: (link, hh, open) => {
          open();
          const respond = link.onClientSend!;
          link.onClientSend = (data, binary) => {
            if (!binary) return void hh.clock.setTimeout(() => link.drop(1006), 5);
            respond(data, binary);
          };
        },
      }),
    );
    const r = await run(h, { words: 9 });
    expect(r.result).toEqual({ flushed: false });
    expect(h.hub.links).toHaveLength(3);
    expect(h.rec.warnings.map((w) => w.code)).toEqual(['FLUSH_TIMEOUT']);
    expect(h.rec.transcript()).toBe(r.speech.text);
    expect([...h.rec.shown.values()].every((s) => s.final)).toBe(true);
    expect(kinds(h.rec.statuses).pop()).toBe('stopped');
  });

  test('handshake 401: fatal at once, one attempt only, no retry loop, key not echoed', async () => {
    const h = track(harness({ onLink: (link, hh) => hh.clock.setTimeout(() => link.refuse(401, `{"error":"invalid key ${KEY}"}`), 20) }));
    h.session.start();
    h.session.pushAudio(new Int16Array(16000));
    h.clock.advance(120_000);
    expect(h.hub.links).toHaveLength(1);
    expect(h.rec.fatals).toHaveLength(1);
    expect(h.rec.fatals[0]!.code).toBe('AUTH_REFUSED');
    expect(h.rec.fatals[0]!.detail).toContain('HTTP 401');
    expect(h.rec.fatals[0]!.detail).toContain('****cdef');
    expect(h.rec.statuses[h.rec.statuses.length - 1]).toMatchObject({ kind: 'error', error: { code: 'AUTH_REFUSED' } });
    expect(await h.session.finish()).toEqual({ flushed: false });
    expect(h.clock.pending).toBe(0);
  });

  test('an in-band auth error is fatal too', () => {
    const h = track(harness());
    h.session.start();
    h.clock.advance(100);
    h.hub.last.receive({ error: 'Unauthorized: bad API key' });
    expect(h.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(h.hub.last.closedByClient).toBe('terminate');
    h.clock.advance(60_000);
    expect(h.hub.links).toHaveLength(1);
  });

  test('flush timeout: warning after ~15 s, still-open segments promoted to final, closed 1000', async () => {
    const h = track(harness({ responder: { echo: 'none' } }));
    const r = await run(h, { words: 8 });
    expect(r.result).toEqual({ flushed: false });
    expect(h.rec.warnings.map((w) => w.code)).toEqual(['FLUSH_TIMEOUT']);
    expect(h.hub.links[0]!.closedByClient).toBe(1000);
    expect(h.rec.transcript()).toBe(r.speech.text);
    expect([...h.rec.shown.values()].every((s) => s.final)).toBe(true);
  });

  test('connect timeout and refused connections back off with growing, jittered delays', () => {
    // Retrying without end is the "connected, then lost" case; never-connected gives up (tested below).
    const h = track(harness({ onLink: () => undefined, session: { connectTimeoutMs: 1000, startupAttempts: Infinity } }));
    h.session.start();
    h.clock.advance(60_000);
    const delays = reconnects(h).map((s) => s.retryInMs);
    expect(delays.length).toBeGreaterThan(5);
    expect(delays.every((d) => d >= 0 && d < 10_000)).toBe(true);
    expect(Math.max(...delays.slice(4))).toBeGreaterThan(Math.max(...delays.slice(0, 2)));
    expect(reconnects(h)[0]!.reason.code).toBe('NETWORK');
    expect(h.hub.links.every((l) => l.closedByClient === 'terminate')).toBe(true);
  });

  test('backlog overflow while disconnected drops the oldest audio and says how much', () => {
    const h = track(harness({ onLink: () => undefined, session: { backlogSeconds: 120, startupAttempts: Infinity } }));
    h.session.start();
    const chunk = new Int16Array(16000);
    for (let s = 0; s < 130; s++) {
      h.session.pushAudio(chunk);
      h.clock.advance(1000);
    }
    const stats = h.session.stats();
    expect(stats.droppedSamples).toBe(10 * 16000);
    expect(stats.backlogSeconds).toBe(120);
    const overflow = h.rec.warnings.filter((w) => w.code === 'BACKLOG_OVERFLOW');
    expect(overflow.length).toBeGreaterThan(0);
    expect(overflow[0]!.detail).toMatch(/s of audio dropped/);
    const last = reconnects(h).pop()!;
    expect(last.backlogSeconds).toBe(120);
  });

  test('an outage longer than the backlog: oldest audio dropped, the new link skips it without reconnect loops', async () => {
    const OUTAGE_END = 155_000;
    let opened = 0;
    let t0 = 0;
    const h = track(
      harness({
        session: { backlogSeconds: 120 },
        onLink: (link, hh, open) => {
          if (link.index > 0 && hh.clock.now() - t0 < OUTAGE_END) return void hh.clock.setTimeout(() => link.refuse(503), 10);
          opened++;
          // Open 1 ms before a push is due, so that push overflows audio not yet sent.
          const sinceStart = hh.clock.now() - t0;
          open(link.index === 0 ? 30 : (100 - (sinceStart % 100) + 99) % 100);
        },
      }),
    );
    t0 = h.clock.now();
    const speech = makeToneSpeech({ words: 300, seed: 31 });
    const duration = speech.samples.length / 16000;
    expect(duration).toBeGreaterThan(190);
    // 100 ms pushes: larger than a frame, so the first pushes after the reconnect overflow
    // audio the new link has not sent yet.
    const jump = vi.spyOn(LinkSegments.prototype, 'jump');
    const r = await run(h, { speech, chunkMs: 100, at: [[5000, (hh) => hh.hub.last.drop(1006)]] });
    expect(jump).toHaveBeenCalled();
    jump.mockRestore();
    expect(r.result?.flushed).toBe(true);
    // One link before the outage, one after: the catch-up did not end in a reconnect loop.
    expect(opened).toBe(2);
    expect(h.hub.links.length).toBeGreaterThan(10);
    const stats = h.session.stats();
    expect(stats.droppedSamples / 16000).toBeGreaterThan(20);
    expect(stats.droppedSamples / 16000).toBeLessThan(40);
    expect(stats.sentSamples).toBe(speech.samples.length);
    expect(h.rec.warnings.some((w) => w.code === 'BACKLOG_OVERFLOW')).toBe(true);
    // Once caught up, captions are exact again and on the right timeline position.
    const late = h.rec.finals().filter((s) => s.start > duration * 0.75);
    expect(late.length).toBeGreaterThan(5);
    expect(compareWithSpeech(late, speech.words, 0.02, false)).toEqual([]);
    expect(late[late.length - 1]!.end).toBeCloseTo(speech.words[speech.words.length - 1]!.end, 1);
  });

  test('malformed messages are counted and warned at most every 10 s, never fatal', () => {
    const h = track(harness());
    h.session.start();
    h.clock.advance(100);
    for (let i = 0; i < 50; i++) h.hub.last.receive(i % 2 ? '{broken' : { what: 'ever' });
    expect(h.session.stats().malformedMessages).toBe(50);
    expect(h.rec.warnings.filter((w) => w.code === 'PROTOCOL')).toHaveLength(1);
    h.clock.advance(10_000);
    h.hub.last.receive('{broken');
    expect(h.rec.warnings.filter((w) => w.code === 'PROTOCOL')).toHaveLength(2);
    expect(h.rec.fatals).toEqual([]);
    expect(h.hub.links).toHaveLength(1);
  });
});

describe('StreamingSession: pacing', () => {
  for (const speed of [1, 4]) {
    test(`after a reconnect the backlog is replayed at most 2x${speed === 1 ? '' : ` x speed ${speed}`} real time (+1 frame in any window)`, async () => {
      // The second link only opens 8 s (of real time at this speed) after the drop: a big backlog to catch up.
      const h = track(
        harness({
          session: { speed },
          onLink: (link, hh, open) => (link.index === 1 ? hh.clock.setTimeout(open, 8000 / speed) : open()),
        }),
      );
      const speech = makeToneSpeech({ words: 40, seed: 9 });
      const r = await run(h, { speech, speed, at: [[3000 / speed, (hh) => hh.hub.last.drop(1006)]] });
      expect(r.result?.flushed).toBe(true);
      const link = h.hub.links[1]!;
      const frames = link.sent.filter((s) => s.binary).map((s) => ({ at: s.at, n: (s.data as Uint8Array).byteLength / 2 }));
      const ratePerMs = (2 * speed * 16000) / 1000;
      let worst = -Infinity;
      for (let i = 0; i < frames.length; i++) {
        let sum = 0;
        for (let j = i; j < frames.length; j++) {
          sum += frames[j]!.n;
          worst = Math.max(worst, sum - ratePerMs * (frames[j]!.at - frames[i]!.at));
        }
      }
      expect(worst).toBeLessThanOrEqual(800);
      // It did catch up: the link reached the real-time head before the end.
      const offset = checkCoverage([linkAudio(link)], speech.samples).offsets[0]!;
      let sent = offset;
      let caughtUp = false;
      for (const f of frames) {
        sent += f.n;
        const head = [...r.pushes].reverse().find(([t]) => t <= f.at)?.[1] ?? 0;
        expect(sent).toBeLessThanOrEqual(Math.max(head, speech.samples.length + 800));
        if (head - sent < 800 && f.at < r.pushes[r.pushes.length - 1]![0]) caughtUp = true;
      }
      expect(caughtUp).toBe(true);
      expect(compareWithSpeech(h.rec.finals(), speech.words)).toEqual([]);
    });
  }

  test('frame length follows frameMs (e.g. 200 ms = 3200 samples)', async () => {
    const h = track(harness({ session: { frameMs: 200 } }));
    await run(h, { words: 5 });
    const frames = h.hub.links[0]!.audioFrames();
    expect(frames.every((f) => f.length === 3200 || f === frames[frames.length - 1])).toBe(true);
    expect(frames[frames.length - 1]!.length).toBeGreaterThanOrEqual(800);
  });
});

describe('StreamingSession: options and lifecycle', () => {
  const make = (extra: object) => () =>
    new StreamingSession(
      { spec: fireworksSpec, provider: { apiKey: KEY, endpoint: ENDPOINT }, ...extra },
      { transport: new FakeTransportHub().factory, clock: new FakeClock(), random: seededRandom(1) },
    );
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
      return 'none';
    } catch (e) {
      return e instanceof EarshotError ? e.code : String(e);
    }
  };

  test('invalid options fail fast with BAD_ARGUMENT / KEY_MISSING / ENDPOINT_INVALID', () => {
    expect(codeOf(make({ frameMs: 20 }))).toBe('BAD_ARGUMENT');
    expect(codeOf(make({ frameMs: 500 }))).toBe('BAD_ARGUMENT');
    expect(codeOf(make({ backlogSeconds: 60 }))).toBe('BAD_ARGUMENT');
    expect(codeOf(make({ catchUpRate: 0.5 }))).toBe('BAD_ARGUMENT');
    expect(codeOf(make({ speed: 0 }))).toBe('BAD_ARGUMENT');
    expect(codeOf(make({ provider: { apiKey: '' } }))).toBe('KEY_MISSING');
    expect(codeOf(make({ provider: { apiKey: KEY, endpoint: 'ws://example.com/x' } }))).toBe('ENDPOINT_INVALID');
    expect(codeOf(make({ frameMs: 400, backlogSeconds: 120 }))).toBe('none');
  });

  test('abort is immediate and idempotent; finish after abort resolves unflushed; unsubscribe works', async () => {
    const h = track(harness());
    const events: string[] = [];
    const off = h.session.on((e) => events.push(e.type));
    h.session.start();
    h.clock.advance(100);
    h.session.pushAudio(new Int16Array(1600));
    off();
    h.session.pushAudio(new Int16Array(1600));
    const before = events.length;
    h.session.abort();
    h.session.abort();
    expect(events.length).toBe(before);
    expect(h.hub.last.closedByClient).toBe('terminate');
    expect(await h.session.finish()).toEqual({ flushed: false });
    h.clock.advance(60_000);
    expect(h.hub.links).toHaveLength(1);
    expect(h.clock.pending).toBe(0);
    expect(kinds(h.rec.statuses).pop()).toBe('stopped');
  });

  test('finish() before any link opened connects, sends everything and flushes', async () => {
    const h = track(harness());
    const speech = makeToneSpeech({ words: 4, seed: 2 });
    h.session.pushAudio(speech.samples);
    let result: unknown;
    void h.session.finish().then((r) => (result = r));
    await h.clock.advanceAsync(20_000, 50);
    expect(result).toEqual({ flushed: true });
    expect(h.rec.transcript()).toBe(speech.text);
  });

});

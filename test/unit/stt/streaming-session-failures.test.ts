/**
 * How the session fails, on a fake clock with fake links: "never connected" ends with
 * CONNECT_FAILED and the cause once the start-up attempts are used up, while "connected,
 * then lost" retries on; every reconnect says why; an in-band error repeated many times is
 * one warning; ending early (abort, fatal) keeps the open text as final; Together staying
 * silent after a commit of silence is no loss.
 */
import { describe, expect, test } from 'vitest';
import type { ConnectionStatus } from '../../../shared/status.js';
import { PROVIDERS } from '../../../shared/providers.js';
import { describeStatus } from '../../../shared/status.js';
import type { ProviderCodec, ProviderEvent, ProviderSpec } from '../../../main/stt/provider.js';
import { togetherSpec } from '../../../main/stt/providers/together/spec.js';
import { StreamingSession, type StreamingSessionOptions } from '../../../main/stt/streaming-session.js';
import { FakeClock, flushMicrotasks, seededRandom } from '../../fakes/fake-clock.js';
import { FakeTransportHub, type FakeLink } from '../../fakes/fake-transport.js';
import { CaptionRecorder } from '../../fakes/stream-checks.js';

const URL_SHOWN = 'ws://127.0.0.1:1/stub';

/** Messages: {type:'seg', id, text, final} | {type:'err', code, detail, fatal} | {type:'done'}. */
class StubCodec implements ProviderCodec {
  start() { return []; }
  encodeAudio(pcm: Int16Array) { return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength); }
  endOfStream() { return ['{"type":"end"}']; }
  keepAlive() { return null; }
  decode(data: string | Buffer): ProviderEvent[] {
    const m = JSON.parse(data.toString()) as { type: string; id?: string; text?: string; final?: boolean; fatal?: boolean; detail?: string };
    if (m.type === 'seg') return [{ type: 'segment', id: m.id!, text: m.text!, final: !!m.final }];
    if (m.type === 'err') return [{ type: 'error', code: m.fatal ? 'AUTH_REFUSED' : 'SERVER_ERROR', detail: m.detail ?? 'overloaded', fatal: !!m.fatal }];
    if (m.type === 'done') return [{ type: 'flushed' }];
    return [{ type: 'info', what: m.type }];
  }
}

const stub: ProviderSpec = {
  ...PROVIDERS.fireworks,
  waitForReady: false,
  flushTimeoutMs: 5000,
  clientClosesAfterFlush: true,
  keepAliveMs: 0,
  connectRequest: () => ({ url: `${URL_SHOWN}?model=x&token=hidden`, headers: {} }),
  createCodec: () => new StubCodec(),
  classifyHandshake: (status) => (status === 401 ? { code: 'AUTH_REFUSED', retryable: false } : { code: 'HANDSHAKE_FAILED', retryable: true }),
  classifyClose: (_code, _reason, lastError) => ({ code: lastError ?? 'NETWORK', retryable: true }),
};

function setup(onLink: (link: FakeLink, clock: FakeClock) => void, options: Partial<StreamingSessionOptions> = {}, spec: ProviderSpec = stub) {
  const clock = new FakeClock();
  const hub = new FakeTransportHub(clock);
  hub.onConnect = (link) => onLink(link, clock);
  const session = new StreamingSession({ spec, provider: { apiKey: 'stub-key-9999' }, ...options }, { transport: hub.factory, clock, random: seededRandom(5) });
  const rec = new CaptionRecorder();
  session.on(rec.listener);
  return { clock, hub, session, rec };
}

const reconnecting = (rec: CaptionRecorder) => rec.statuses.filter((s): s is Extract<ConnectionStatus, { kind: 'reconnecting' }> => s.kind === 'reconnecting');
const seg = (id: string, text: string, final = false) => ({ type: 'seg', id, text, final });

describe('never connected', () => {
  test('refused connections: the cause on every status line, then CONNECT_FAILED after the start-up attempts', async () => {
    const t = setup((link, clock) => clock.setTimeout(() => link.fail('connection refused'), 5));
    t.session.start();
    t.session.pushAudio(new Int16Array(16000));
    let finished = false;
    void t.session.finish().then(() => (finished = true));
    await t.clock.advanceAsync(60_000, 100);
    expect(t.hub.links).toHaveLength(3);
    const cause = `cannot connect to ${URL_SHOWN}: connection refused`;
    expect(t.rec.fatals).toEqual([expect.objectContaining({ code: 'CONNECT_FAILED', retryable: false, detail: `${cause}; gave up after 3 attempts` })]);
    // Every status line after the first failure names the cause (the query string never shows).
    const after = t.rec.statuses.slice(t.rec.statuses.findIndex((s) => s.kind === 'reconnecting'));
    const lines = after.map(describeStatus);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) expect(line).toContain(cause);
    expect(t.rec.dump()).not.toContain('token=hidden');
    expect(t.rec.statuses.at(-1)?.kind).toBe('error');
    expect(finished).toBe(true);
    expect(t.clock.pending).toBe(0);
  });

  test('a handshake that never completes: NETWORK retries, then CONNECT_FAILED naming the hang', async () => {
    const t = setup(() => undefined, { connectTimeoutMs: 4000 });
    t.session.start();
    await t.clock.advanceAsync(60_000, 100);
    expect(t.hub.links).toHaveLength(3);
    expect(t.hub.links.every((l) => l.closedByClient === 'terminate')).toBe(true);
    expect(reconnecting(t.rec)[0]!.reason.detail).toBe(`cannot connect to ${URL_SHOWN}: no answer within 4 s (the handshake never completed)`);
    expect(t.rec.fatals[0]).toMatchObject({ code: 'CONNECT_FAILED', detail: expect.stringContaining('the handshake never completed') });
  });

  test('a refusal that cannot be retried is fatal at once and still says where', () => {
    const t = setup((link, clock) => clock.setTimeout(() => link.refuse(401, 'bad key'), 5));
    t.session.start();
    t.clock.advance(10);
    expect(t.rec.fatals).toEqual([expect.objectContaining({ code: 'AUTH_REFUSED', detail: `cannot connect to ${URL_SHOWN}: HTTP 401: bad key` })]);
  });

  test('stopped before any link was ready: connectFailure() says audio went nowhere and why', async () => {
    const t = setup((link, clock) => clock.setTimeout(() => link.refuse(431, 'Request Header Fields Too Large'), 5));
    t.session.start();
    expect(t.session.connectFailure()).toBeUndefined(); // no audio yet: nothing lost
    t.session.pushAudio(new Int16Array(1600));
    await t.clock.advanceAsync(20, 10);
    t.session.abort();
    expect(t.session.connectFailure()).toMatchObject({ code: 'CONNECT_FAILED', detail: `cannot connect to ${URL_SHOWN}: HTTP 431: Request Header Fields Too Large` });

    const hang = setup(() => undefined);
    hang.session.start();
    hang.session.pushAudio(new Int16Array(1600));
    hang.clock.advance(1500);
    hang.session.abort();
    expect(hang.session.connectFailure()?.detail).toBe(`cannot connect to ${URL_SHOWN}: stopped after 1.5 s without an answer (the handshake never completed)`);
  });
});

describe('connected, then lost', () => {
  test('once a link was ready, failures are retried without limit and never called a connect failure', async () => {
    const t = setup((link, clock) => (link.index === 0 ? clock.setTimeout(() => link.open(), 5) : clock.setTimeout(() => link.fail('connection refused'), 5)));
    t.session.start();
    t.session.pushAudio(new Int16Array(3200));
    await t.clock.advanceAsync(100, 10);
    t.hub.last.drop(1006);
    await t.clock.advanceAsync(120_000, 100);
    expect(t.hub.links.length).toBeGreaterThan(10);
    expect(t.rec.fatals).toEqual([]);
    expect(t.session.connectFailure()).toBeUndefined();
    t.session.abort();
  });

  test('each reconnect says why: close code and reason, no answer to pings, the network error', async () => {
    const t = setup((link, clock) => clock.setTimeout(() => link.open(), 5), { pingIntervalMs: 1000, deadAfterMs: 3000 });
    t.session.start();
    await t.clock.advanceAsync(100, 10);
    t.hub.last.drop(1011, 'overloaded');
    await t.clock.advanceAsync(2000, 10);
    t.hub.last.autoPong = false;
    await t.clock.advanceAsync(6000, 10);
    t.hub.last.fail('connection reset');
    await t.clock.advanceAsync(2000, 10);
    const details = reconnecting(t.rec).map((s) => s.reason.detail);
    expect(details).toEqual([
      'closed by the server: close 1011 "overloaded"',
      expect.stringMatching(/^no answer to pings for 3\.\d s$/),
      'connection lost: connection reset (close 1006)',
    ]);
    expect(describeStatus(reconnecting(t.rec)[0]!)).toMatch(/close 1011 "overloaded"$/);
    t.session.abort();
  });

  test('an in-band error repeated 50 times is one warning; later it is shown again with the count', async () => {
    const t = setup((link, clock) => clock.setTimeout(() => link.open(), 5));
    t.session.start();
    await t.clock.advanceAsync(10);
    for (let i = 0; i < 50; i++) t.hub.last.receive({ type: 'err', detail: 'rate of audio too high' });
    expect(t.rec.warnings).toHaveLength(1);
    expect(t.rec.warnings[0]).toMatchObject({ code: 'SERVER_ERROR', detail: 'rate of audio too high' });
    t.hub.last.receive({ type: 'err', detail: 'another problem' });
    expect(t.rec.warnings).toHaveLength(2);
    await t.clock.advanceAsync(61_000, 1000);
    t.hub.last.receive({ type: 'err', detail: 'rate of audio too high' });
    expect(t.rec.warnings).toHaveLength(3);
    expect(t.rec.warnings[2]!.detail).toBe('rate of audio too high (49 more times since it was last shown)');
    t.session.abort();
  });
});

describe('ending early keeps the open text', () => {
  test('abort: the sentence being spoken becomes final', async () => {
    const t = setup((link, clock) => clock.setTimeout(() => link.open(), 5));
    t.session.start();
    await t.clock.advanceAsync(10);
    t.hub.last.receive(seg('a', 'first sentence', true));
    t.hub.last.receive(seg('b', 'the sentence being'));
    t.session.abort();
    expect(t.rec.finals().map((s) => s.text)).toEqual(['first sentence', 'the sentence being']);
    expect(t.rec.problems).toEqual([]);
  });

  test('stopped while reconnecting: the text the dead link showed comes back as final, once', async () => {
    const t = setup((link, clock) => (link.index === 1 ? undefined : clock.setTimeout(() => link.open(), 5)));
    t.session.start();
    t.session.pushAudio(new Int16Array(3200));
    await t.clock.advanceAsync(20, 5);
    t.hub.last.receive(seg('a', 'done sentence', true));
    t.hub.last.receive(seg('b', 'words still being'));
    t.hub.last.drop(1006);
    await t.clock.advanceAsync(1000, 10);
    expect([...t.rec.shown.values()].map((s) => s.text)).toEqual(['done sentence']); // withdrawn for the replay
    t.session.abort();
    expect(t.rec.finals().map((s) => s.text)).toEqual(['done sentence', 'words still being']);
    expect(t.rec.problems).toEqual([]);
  });

  test('once a later link showed its own text, the dead link\'s text is never brought back (no doubling)', async () => {
    const t = setup((link, clock) => (link.index >= 2 ? undefined : clock.setTimeout(() => link.open(), 5)));
    t.session.start();
    t.session.pushAudio(new Int16Array(3200));
    await t.clock.advanceAsync(20, 5);
    t.hub.last.receive(seg('b', 'words still being'));
    t.hub.last.drop(1006);
    await t.clock.advanceAsync(2000, 10);
    expect(t.hub.links).toHaveLength(2);
    // The replay on the second link finishes that sentence, then this link dies too.
    t.hub.last.receive(seg('b', 'words still being said', true));
    t.hub.last.drop(1006);
    await t.clock.advanceAsync(2000, 10);
    t.session.abort();
    expect(t.rec.finals().map((s) => s.text)).toEqual(['words still being said']);
    expect(t.rec.problems).toEqual([]);
  });

  test('a fatal in-band error keeps it too, before the fatal event', async () => {
    const t = setup((link, clock) => clock.setTimeout(() => link.open(), 5));
    t.session.start();
    await t.clock.advanceAsync(10);
    t.hub.last.receive(seg('b', 'half a sentence'));
    t.hub.last.receive({ type: 'err', fatal: true, detail: 'key revoked' });
    expect(t.rec.finals().map((s) => s.text)).toEqual(['half a sentence']);
    const order = t.rec.events.map((e) => e.type);
    expect(order.lastIndexOf('caption')).toBeLessThan(order.indexOf('fatal'));
  });
});

describe('Together at the end of the stream', () => {
  const COMPLETED = 'conversation.item.input_audio_transcription.completed';
  const DELTA = 'conversation.item.input_audio_transcription.delta';

  async function endWith(answer: (link: FakeLink) => void) {
    const t = setup((link, clock) => clock.setTimeout(() => {
      link.open();
      link.receive({ type: 'session.created', session: { id: 's' } });
    }, 5), {}, togetherSpec);
    t.session.start();
    t.session.pushAudio(new Int16Array(16000));
    await t.clock.advanceAsync(1200, 100);
    t.hub.last.receive({ type: DELTA, item_id: 'i1', delta: 'hello there' });
    t.hub.last.receive({ type: COMPLETED, item_id: 'i1', transcript: 'hello there' });
    let result: unknown;
    void t.session.finish().then((r) => (result = r));
    await flushMicrotasks();
    await t.clock.advanceAsync(200, 10);
    answer(t.hub.last);
    await t.clock.advanceAsync(10_000, 100);
    expect(result).toBeDefined();
    return t;
  }

  test('a commit of trailing silence answered by `committed` alone is a clean end, not "may miss the last words"', async () => {
    const t = await endWith((link) => link.receive({ type: 'input_audio_buffer.committed', item_id: 'i2' }));
    expect(t.rec.warnings).toEqual([]);
    expect(t.rec.transcript()).toBe('hello there');
    expect(t.hub.links[0]!.closedByClient).toBe(1000);
  });

  test('text shown and never completed is still reported as possibly missing', async () => {
    const t = await endWith((link) => link.receive({ type: DELTA, item_id: 'i2', delta: 'and then' }));
    expect(t.rec.warnings.map((w) => w.code)).toEqual(['FLUSH_TIMEOUT']);
    expect(t.rec.transcript()).toBe('hello there and then');
  });
});

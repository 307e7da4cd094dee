/**
 * Session behaviour that Fireworks does not exercise, through a minimal stub provider:
 * waiting for `ready`, configuration messages, keepalives, missing timestamps, servers that
 * close by themselves after the flush.
 */
import { describe, expect, test } from 'vitest';
import { PROVIDERS } from '../../../shared/providers.js';
import type { ProviderCodec, ProviderEvent, ProviderSpec } from '../../../main/stt/provider.js';
import { StreamingSession } from '../../../main/stt/streaming-session.js';
import { FakeClock, flushMicrotasks, seededRandom } from '../../fakes/fake-clock.js';
import { FakeTransportHub } from '../../fakes/fake-transport.js';
import { CaptionRecorder } from '../../fakes/stream-checks.js';

class StubCodec implements ProviderCodec {
  start() {
    return ['{"type":"config"}'];
  }
  encodeAudio(pcm: Int16Array) {
    return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  }
  endOfStream() {
    return ['{"type":"end"}'];
  }
  keepAlive() {
    return '{"type":"KeepAlive"}';
  }
  decode(data: string | Buffer): ProviderEvent[] {
    const m = JSON.parse(data.toString()) as { type: string; id?: string; text?: string; final?: boolean };
    if (m.type === 'ready') return [{ type: 'ready' }];
    if (m.type === 'seg') return [{ type: 'segment', id: m.id!, text: m.text!, final: !!m.final }];
    if (m.type === 'done') return [{ type: 'flushed' }];
    return [{ type: 'info', what: m.type }];
  }
}

const stub: ProviderSpec = {
  ...PROVIDERS.assemblyai,
  waitForReady: true,
  flushTimeoutMs: 5000,
  clientClosesAfterFlush: false,
  keepAliveMs: 3000,
  connectRequest: () => ({ url: 'ws://127.0.0.1:1/stub', headers: { Authorization: 'stub-key-9999' } }),
  createCodec: () => new StubCodec(),
  classifyHandshake: () => ({ code: 'HANDSHAKE_FAILED', retryable: true }),
  classifyClose: () => ({ code: 'NETWORK', retryable: true }),
};

function setup() {
  const clock = new FakeClock();
  const hub = new FakeTransportHub(clock);
  const session = new StreamingSession(
    { spec: stub, provider: { apiKey: 'stub-key-9999' }, connectTimeoutMs: 4000 },
    { transport: hub.factory, clock, random: seededRandom(1) },
  );
  const rec = new CaptionRecorder();
  session.on(rec.listener);
  return { clock, hub, session, rec };
}

describe('StreamingSession with a provider that announces readiness', () => {
  test('no audio before ready; configuration first; then audio', () => {
    const { clock, hub, session, rec } = setup();
    session.start();
    session.pushAudio(new Int16Array(1600));
    hub.last.open();
    clock.advance(500);
    expect(hub.last.sent).toEqual([]);
    expect(rec.statuses.map((s) => s.kind)).toEqual(['connecting']);
    hub.last.receive({ type: 'ready' });
    // One frame at once; the rest of the (old) audio at the catch-up rate.
    clock.advance(25);
    expect(hub.last.sent.map((s) => (s.binary ? `audio:${(s.data as Uint8Array).byteLength}` : s.data))).toEqual([
      '{"type":"config"}',
      'audio:1600',
      'audio:1600',
    ]);
    expect(rec.statuses.map((s) => s.kind)).toEqual(['connecting', 'live']);
  });

  test('the connect timeout also covers a server that opens but never says ready', () => {
    const { clock, hub, session, rec } = setup();
    session.start();
    hub.last.open();
    clock.advance(4000);
    expect(hub.links[0]!.closedByClient).toBe('terminate');
    const rc = rec.statuses.find((s) => s.kind === 'reconnecting');
    expect(rc).toMatchObject({ reason: { code: 'NETWORK' } });
  });

  test('keepalive after keepAliveMs without audio, none while audio flows', () => {
    const { clock, hub, session } = setup();
    session.start();
    hub.last.open();
    hub.last.receive({ type: 'ready' });
    for (let i = 0; i < 100; i++) {
      session.pushAudio(new Int16Array(800));
      clock.advance(50);
    }
    const keepAlives = () => hub.last.texts().filter((t) => t.includes('KeepAlive')).length;
    expect(keepAlives()).toBe(0);
    // The last frame went out 50 ms ago.
    clock.advance(2949);
    expect(keepAlives()).toBe(0);
    clock.advance(1);
    expect(keepAlives()).toBe(1);
    clock.advance(9000);
    expect(keepAlives()).toBe(4);
  });

  test('missing timestamps are filled from the audio sent so far', () => {
    const { clock, hub, session, rec } = setup();
    session.start();
    hub.last.open();
    hub.last.receive({ type: 'ready' });
    session.pushAudio(new Int16Array(16000 * 2));
    clock.advance(2000);
    hub.last.receive({ type: 'seg', id: 'a', text: 'hi', final: false });
    expect([...rec.shown.values()]).toEqual([{ id: '1:a', text: 'hi', start: 2, end: 2, final: false }]);
  });

  test('a server that closes after the flush: we wait for its close, then stop', async () => {
    const { clock, hub, session, rec } = setup();
    session.start();
    hub.last.open();
    hub.last.receive({ type: 'ready' });
    session.pushAudio(new Int16Array(1000));
    let result: unknown;
    void session.finish().then((r) => (result = r));
    clock.advance(25);
    expect(hub.last.texts()).toEqual(['{"type":"config"}', '{"type":"end"}']);
    hub.last.receive({ type: 'done' });
    await flushMicrotasks();
    expect(result).toBeUndefined();
    expect(hub.last.closedByClient).toBeUndefined();
    hub.last.drop(1000);
    await flushMicrotasks();
    expect(result).toEqual({ flushed: true });
    expect(rec.statuses.map((s) => s.kind).pop()).toBe('stopped');
    // ...and if it never closes, the grace period ends it.
    const second = setup();
    second.session.start();
    second.hub.last.open();
    second.hub.last.receive({ type: 'ready' });
    let r2: unknown;
    void second.session.finish().then((r) => (r2 = r));
    second.hub.last.receive({ type: 'done' });
    await second.clock.advanceAsync(2000);
    expect(r2).toEqual({ flushed: true });
    expect(second.hub.last.closedByClient).toBe('terminate');
  });

  test('a server that closes 1000 after our end-of-stream without a flush message counts as flushed', async () => {
    const { clock, hub, session, rec } = setup();
    session.start();
    hub.last.open();
    hub.last.receive({ type: 'ready' });
    session.pushAudio(new Int16Array(1000));
    hub.last.receive({ type: 'seg', id: 'a', text: 'still open', final: false });
    let result: unknown;
    void session.finish().then((r) => (result = r));
    clock.advance(25);
    expect(hub.last.texts()).toContain('{"type":"end"}');
    hub.last.drop(1000);
    await flushMicrotasks();
    expect(result).toEqual({ flushed: true });
    expect(hub.links).toHaveLength(1);
    expect(rec.finals().map((s) => s.text)).toEqual(['still open']);
  });

  test('a 1000 close before end-of-stream is still a drop: reconnect', async () => {
    const { clock, hub, session } = setup();
    session.start();
    hub.last.open();
    hub.last.receive({ type: 'ready' });
    session.pushAudio(new Int16Array(1600));
    hub.last.drop(1000);
    await clock.advanceAsync(11_000);
    expect(hub.links.length).toBeGreaterThan(1);
  });
});

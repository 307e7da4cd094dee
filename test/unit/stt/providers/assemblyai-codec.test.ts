import { describe, expect, it } from 'vitest';
import { AssemblyAiCodec, assemblyAiCodeMeaning } from '../../../../main/stt/providers/assemblyai/codec.js';
import type { ProviderEvent } from '../../../../main/stt/provider.js';

const KEY = 'aai_SECRET_KEY_9876';
const ctx = { sentSeconds: 5 };
const codec = (formatTurns = false) => new AssemblyAiCodec({ apiKey: KEY, formatTurns });
const feed = (c: AssemblyAiCodec, ...m: unknown[]): ProviderEvent[] =>
  m.flatMap((x) => c.decode(typeof x === 'string' ? x : JSON.stringify(x), false, ctx));

const word = (text: string, start: number, end: number, final = true) => ({ text, start, end, confidence: 0.9, word_is_final: final });
const turn = (o: Record<string, unknown>) => ({ type: 'Turn', turn_is_formatted: false, end_of_turn: false, end_of_turn_confidence: 0.1, utterance: '', ...o });

describe('AssemblyAiCodec encoding', () => {
  it('sends raw binary PCM, a copy of the caller\'s samples', () => {
    const pcm = new Int16Array(800).fill(7);
    const wire = codec().encodeAudio(pcm) as Uint8Array;
    expect(wire).toBeInstanceOf(Uint8Array);
    expect(wire.byteLength).toBe(1600);
    pcm.fill(0);
    expect(new Int16Array(wire.buffer, wire.byteOffset, 800)[0]).toBe(7);
  });

  it('never pads or reshapes a frame (that would shift later timestamps)', () => {
    const wire = codec().encodeAudio(new Int16Array([5, 6, 7])) as Uint8Array;
    expect(Array.from(wire)).toEqual([5, 0, 6, 0, 7, 0]);
  });

  it('terminates with Terminate and needs no keepalive or configuration', () => {
    const c = codec();
    expect(c.start()).toEqual([]);
    expect(c.keepAlive()).toBeNull();
    expect(c.endOfStream()).toEqual(['{"type":"Terminate"}']);
  });
});

describe('AssemblyAiCodec decoding', () => {
  it('is ready on Begin', () => {
    expect(feed(codec(), { type: 'Begin', id: 'x', expires_at: 1772570132, configuration: { model: 'u3-rt-pro' } })).toEqual([{ type: 'ready' }]);
  });

  it('replaces a turn by turn_order and converts integer ms to seconds', () => {
    const events = feed(
      codec(),
      turn({ turn_order: 0, transcript: '', words: [word('hi', 1920, 2000, false)] }),
      turn({ turn_order: 0, transcript: 'hi my', words: [word('hi', 1920, 2000), word('my', 2800, 2880), word('name', 2960, 3040, false)] }),
      turn({ turn_order: 0, transcript: 'hi my name', end_of_turn: true, words: [word('hi', 1920, 2000), word('my', 2800, 2880), word('name', 2960, 3040)] }),
      turn({ turn_order: 1, transcript: 'next', words: [word('next', 4000, 4200)] }),
    );
    expect(events).toEqual([
      { type: 'segment', id: 't0', text: 'hi', start: 1.92, end: 2, final: false },
      { type: 'segment', id: 't0', text: 'hi my name', start: 1.92, end: 3.04, final: false },
      { type: 'segment', id: 't0', text: 'hi my name', start: 1.92, end: 3.04, final: true },
      { type: 'segment', id: 't1', text: 'next', start: 4, end: 4.2, final: false },
    ]);
  });

  it('passes on the language a detecting session heard', () => {
    const c = codec();
    const ev = c.decode(JSON.stringify(turn({ turn_order: 0, end_of_turn: true, transcript: 'Hola.', language_code: 'es', language_confidence: 0.97, words: [] })), false, ctx);
    expect(ev[0]).toEqual({ type: 'language', code: 'es' });
    expect(ev[1]).toMatchObject({ type: 'segment', text: 'Hola.', final: true });
  });

  it('with format_turns only the formatted end-of-turn message is final', () => {
    const c = codec(true);
    const w = [word('hello', 0, 300), word('world', 400, 700)];
    const events = feed(
      c,
      turn({ turn_order: 3, transcript: 'hello world', end_of_turn: true, words: w }),
      turn({ turn_order: 3, transcript: 'Hello world.', end_of_turn: true, turn_is_formatted: true, words: w }),
    );
    expect(events.map((e) => (e.type === 'segment' ? [e.text, e.final] : e.type))).toEqual([['hello world', false], ['Hello world.', true]]);
  });

  it('takes the end-of-turn text from transcript, falling back to words', () => {
    expect(feed(codec(), turn({ turn_order: 0, transcript: '', end_of_turn: true, words: [word('a', 0, 100), word('b', 200, 300)] })))
      .toEqual([{ type: 'segment', id: 't0', text: 'a b', start: 0, end: 0.3, final: true }]);
  });

  it('withdraws an empty final turn and ignores an empty partial', () => {
    const c = codec();
    expect(feed(c, turn({ turn_order: 2, transcript: '', words: [] }))).toEqual([]);
    expect(feed(c, turn({ turn_order: 2, transcript: '', words: [], end_of_turn: true }))).toEqual([{ type: 'retract', id: 't2' }]);
  });

  it('is flushed on Termination after Terminate, never parsing it as text', () => {
    const c = codec();
    expect(feed(c, { type: 'Termination', audio_duration_seconds: 1, session_duration_seconds: 2 })).toEqual([{ type: 'info', what: 'Termination' }]);
    c.endOfStream();
    expect(feed(c, { type: 'Termination', audio_duration_seconds: 12.5, session_duration_seconds: 13 })).toEqual([{ type: 'flushed' }]);
    expect(feed(c, { type: 'Termination' })).toEqual([{ type: 'info', what: 'Termination' }]);
  });

  it('reads the Error frame (and the legacy bare error) without deciding the close itself', () => {
    const events = feed(
      codec(),
      { type: 'Error', error_code: 3007, error: 'Input Duration Error: Input Duration Violation: 25.0 ms. Expected between 50 and 1000 ms' },
      { type: 'Error', error_code: 3008, error: 'Session Expired: Maximum session duration exceeded' },
      { error: `bad key ${KEY}` },
    );
    expect(events.map((e) => (e.type === 'error' ? [e.code, e.fatal] : e.type))).toEqual([
      ['CLIENT_REJECTED', false], ['SESSION_EXPIRED', false], ['SERVER_ERROR', false],
    ]);
    expect(JSON.stringify(events)).not.toContain(KEY);
    expect((events[0] as { detail: string }).detail).toContain('3007: Input Duration');
  });

  it('ignores unknown and optional message types, reports malformed ones', () => {
    const events = feed(
      codec(),
      { type: 'SpeechStarted', timestamp: 1920, confidence: 0.9 },
      { type: 'Heartbeat', total_audio_received_ms: 5000 },
      { type: 'SomethingNew' },
      { type: 'Warning', warning_code: 1, warning: 'hm' },
      turn({ transcript: 'x' }),
      'garbage',
      {},
    );
    expect(events.map((e) => e.type)).toEqual(['info', 'info', 'info', 'info', 'malformed', 'malformed', 'malformed']);
  });
});

describe('AssemblyAI close and error codes', () => {
  it.each([
    [3005, '', 'SERVER_ERROR', true],
    [3006, '', 'CLIENT_REJECTED', false],
    [3007, '', 'CLIENT_REJECTED', false],
    [3008, '', 'SESSION_EXPIRED', true],
    [3009, '', 'RATE_LIMITED', true],
    [1008, 'Unauthorized Connection: Missing Authorization header', 'AUTH_REFUSED', false],
    [1008, 'Unauthorized Connection: Too many concurrent sessions', 'RATE_LIMITED', true],
    [1013, '', 'SERVER_ERROR', true],
    [1006, '', 'NETWORK', true],
    [1000, '', 'NETWORK', true],
    [4001, '', 'AUTH_REFUSED', false],
    [4002, '', 'AUTH_REFUSED', false],
    [4008, '', 'SESSION_EXPIRED', true],
    [4029, '', 'RATE_LIMITED', true],
    [4031, '', 'LINK_STALLED', true],
    [4000, '', 'CONFIG_REJECTED', false],
    [4050, '', 'CLIENT_REJECTED', false],
  ])('%i %s -> %s (retryable %s)', (code, reason, expected, retryable) => {
    const m = assemblyAiCodeMeaning(code, reason);
    expect([m.code, m.retryable]).toEqual([expected, retryable]);
  });

  it('backs off longer for the session-rate limit', () => {
    expect(assemblyAiCodeMeaning(3009).minDelayMs).toBeGreaterThanOrEqual(10_000);
    expect(assemblyAiCodeMeaning(3008).minDelayMs).toBeUndefined();
  });
});

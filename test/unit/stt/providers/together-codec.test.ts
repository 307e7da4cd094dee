import { describe, expect, it } from 'vitest';
import { TogetherCodec, togetherErrorCode } from '../../../../main/stt/providers/together/codec.js';
import type { ProviderEvent } from '../../../../main/stt/provider.js';

const KEY = 'tgp_v1_SECRETKEY1234';
const ctx = { sentSeconds: 10 };
const codec = () => new TogetherCodec({ apiKey: KEY });
const msg = (o: unknown) => JSON.stringify(o);
const DELTA = 'conversation.item.input_audio_transcription.delta';
const DONE = 'conversation.item.input_audio_transcription.completed';

function feed(c: TogetherCodec, ...messages: unknown[]): ProviderEvent[] {
  return messages.flatMap((m) => c.decode(typeof m === 'string' ? m : msg(m), false, ctx));
}

describe('TogetherCodec encoding', () => {
  it('sends audio as base64 s16le inside input_audio_buffer.append', () => {
    const pcm = new Int16Array([1, -2, 32767, -32768]);
    const wire = codec().encodeAudio(pcm);
    expect(typeof wire).toBe('string');
    const parsed = JSON.parse(wire as string);
    expect(parsed.type).toBe('input_audio_buffer.append');
    const bytes = Buffer.from(parsed.audio, 'base64');
    expect(Array.from(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2))).toEqual([1, -2, 32767, -32768]);
  });

  it('encodes a view into a larger buffer without its neighbours', () => {
    const big = new Int16Array([9, 9, 5, 6, 9]);
    const parsed = JSON.parse(codec().encodeAudio(big.subarray(2, 4)) as string);
    expect(Buffer.from(parsed.audio, 'base64')).toEqual(Buffer.from([5, 0, 6, 0]));
  });

  it('needs no configuration message or keepalive, and ends with a commit', () => {
    const c = codec();
    expect(c.start()).toEqual([]);
    expect(c.keepAlive()).toBeNull();
    expect(c.endOfStream()).toEqual([msg({ type: 'input_audio_buffer.commit' })]);
  });
});

describe('TogetherCodec decoding', () => {
  it('is ready on session.created', () => {
    expect(feed(codec(), { type: 'session.created', session: { id: 's', object: 'realtime.session', modalities: ['audio'], model: 'openai/whisper-large-v3' } }))
      .toEqual([{ type: 'ready' }]);
  });

  it('lets each delta replace the open text of its item, and completed finalise it', () => {
    const c = codec();
    const events = feed(
      c,
      { type: DELTA, delta: 'The quick', item_id: 'i1', start: 1.2, duration: 0.5 },
      { type: DELTA, delta: 'The quick brown fox', item_id: 'i1', start: 1.2, duration: 0.9 },
      { type: DONE, transcript: 'The quick brown fox jumps.', item_id: 'i1', start: 1.2, duration: 2.4 },
      { type: DELTA, delta: 'Next', item_id: 'i2', start: 4, duration: 0.3 },
    );
    expect(events).toEqual([
      { type: 'segment', id: 'i1', text: 'The quick', start: 1.2, end: 1.7, final: false },
      { type: 'segment', id: 'i1', text: 'The quick brown fox', start: 1.2, end: 2.1, final: false },
      { type: 'segment', id: 'i1', text: 'The quick brown fox jumps.', start: 1.2, end: 1.2 + 2.4, final: true },
      { type: 'segment', id: 'i2', text: 'Next', start: 4, end: 4.3, final: false },
    ]);
  });

  it('reads `transcript` when a partial has no `delta` (Pipecat shape)', () => {
    expect(feed(codec(), { type: DELTA, transcript: 'hello', item_id: 'a' }))
      .toEqual([{ type: 'segment', id: 'a', text: 'hello', start: undefined, end: undefined, final: false }]);
  });

  it('withdraws a segment whose final text is empty, and ignores empty items never shown', () => {
    const c = codec();
    expect(feed(c, { type: DELTA, delta: 'uh', item_id: 'a' }, { type: DONE, transcript: '', item_id: 'a' }))
      .toEqual([{ type: 'segment', id: 'a', text: 'uh', start: undefined, end: undefined, final: false }, { type: 'retract', id: 'a' }]);
    expect(feed(c, { type: DONE, transcript: ' ', item_id: 'b' })).toEqual([]);
  });

  it('gives events without item_id their own ids, one per completed segment', () => {
    const c = codec();
    const ids = feed(c, { type: DELTA, delta: 'a' }, { type: DONE, transcript: 'a b' }, { type: DELTA, delta: 'c' })
      .map((e) => (e.type === 'segment' ? `${e.id}:${e.final}` : e.type));
    expect(ids).toEqual(['anon-0:false', 'anon-0:true', 'anon-1:false']);
  });

  it('drops times that cannot be seconds of the audio sent', () => {
    expect(feed(codec(), { type: DELTA, delta: 'x', item_id: 'a', start: 1200, duration: 900 }))
      .toEqual([{ type: 'segment', id: 'a', text: 'x', start: undefined, end: undefined, final: false }]);
  });

  it('accepts both error shapes and maps auth errors to a fatal AUTH_REFUSED without the key', () => {
    const events = feed(
      codec(),
      { type: 'error', message: `Invalid API key ${KEY}` },
      { type: 'error', error: { message: 'Model not available', code: 'model_not_available' } },
      { type: 'conversation.item.input_audio_transcription.failed', error: { message: 'Error description', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
      { type: 'error', error: { message: 'overloaded', code: 'server_busy' } },
    );
    expect(events.map((e) => (e.type === 'error' ? [e.code, e.fatal] : e.type))).toEqual([
      ['AUTH_REFUSED', true], ['CONFIG_REJECTED', true], ['AUTH_REFUSED', true], ['SERVER_ERROR', false],
    ]);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('finalises what a failed item had shown', () => {
    const c = codec();
    feed(c, { type: DELTA, delta: 'half said', item_id: 'z' });
    const events = feed(c, { type: 'conversation.item.input_audio_transcription.failed', item_id: 'z', error: { message: 'boom', code: 'x' } });
    expect(events[1]).toEqual({ type: 'segment', id: 'z', text: 'half said', start: undefined, end: undefined, final: true });
  });

  it('reports malformed and unknown messages without throwing', () => {
    const events = feed(codec(), 'not json', '[1,2]', { foo: 1 }, { type: 'input_audio_buffer.speech_started' });
    expect(events.map((e) => e.type)).toEqual(['malformed', 'malformed', 'malformed', 'info']);
    expect(codec().decode(Buffer.from([1, 2]), true, ctx)[0]!.type).toBe('malformed');
  });
});

describe('TogetherCodec end of stream', () => {
  it('is flushed when the item open at the commit completes', () => {
    const c = codec();
    feed(c, { type: DELTA, delta: 'a', item_id: 'a' });
    c.endOfStream();
    expect(feed(c, { type: DELTA, delta: 'a b', item_id: 'a' }).map((e) => e.type)).toEqual(['segment']);
    expect(feed(c, { type: DONE, transcript: 'a b', item_id: 'a' }).map((e) => e.type)).toEqual(['segment', 'flushed']);
    expect(feed(c, { type: DONE, transcript: 'late', item_id: 'q' }).map((e) => e.type)).toEqual(['segment']);
  });

  it('waits for the completed of the item the commit created', () => {
    const c = codec();
    c.endOfStream();
    expect(feed(c, { type: 'input_audio_buffer.committed', item_id: 'c1' }).map((e) => e.type)).toEqual(['info']);
    expect(feed(c, { type: DONE, transcript: '', item_id: 'c1' })).toEqual([{ type: 'flushed' }]);
  });

  it('does not flush on a completed that arrived before the commit', () => {
    const c = codec();
    feed(c, { type: DELTA, delta: 'a', item_id: 'a' }, { type: DONE, transcript: 'a', item_id: 'a' });
    c.endOfStream();
    expect(feed(c, { type: 'session.updated' }).map((e) => e.type)).toEqual(['info']);
  });

  it('a commit naming an item that already completed is answered at once', () => {
    const c = codec();
    feed(c, { type: DELTA, delta: 'a', item_id: 'a' }, { type: DONE, transcript: 'a', item_id: 'a' });
    c.endOfStream();
    expect(feed(c, { type: 'input_audio_buffer.committed', item_id: 'a' }).map((e) => e.type)).toEqual(['info', 'flushed']);
  });

  it('owes text only for an item shown and not completed, not for a commit of silence', () => {
    const c = codec();
    feed(c, { type: DELTA, delta: 'a', item_id: 'a' }, { type: DONE, transcript: 'a', item_id: 'a' });
    c.endOfStream();
    feed(c, { type: 'input_audio_buffer.committed', item_id: 'silence' });
    expect(c.owesText()).toBe(false);
    feed(c, { type: DELTA, delta: 'b c', item_id: 'b' });
    expect(c.owesText()).toBe(true);
  });

  it('counts an error after the commit as its answer; an empty-buffer error is no warning', () => {
    const c = codec();
    c.endOfStream();
    expect(feed(c, { type: 'error', error: { message: 'buffer empty', code: 'input_audio_buffer_commit_empty' } }).map((e) => e.type))
      .toEqual(['info', 'flushed']);
    const d = codec();
    d.endOfStream();
    expect(feed(d, { type: 'error', message: 'overloaded' }).map((e) => e.type)).toEqual(['error', 'flushed']);
  });
});

describe('togetherErrorCode', () => {
  it.each([
    ['invalid_api_key', '', 'AUTH_REFUSED', true],
    ['missing_api_key', '', 'AUTH_REFUSED', true],
    [undefined, 'Unauthorized', 'AUTH_REFUSED', true],
    ['model_not_available', '', 'CONFIG_REJECTED', true],
    ['invalid_audio_format', '', 'CLIENT_REJECTED', true],
    ['rate_limit_exceeded', '', 'RATE_LIMITED', false],
    ['internal_error', 'x', 'SERVER_ERROR', false],
  ])('%s / %s -> %s', (code, message, expected, fatal) => {
    expect(togetherErrorCode(code, message)).toEqual({ code: expected, fatal });
  });
});

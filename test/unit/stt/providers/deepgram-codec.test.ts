import { describe, expect, it } from 'vitest';
import { DeepgramCodec } from '../../../../main/stt/providers/deepgram/codec.js';
import type { ProviderEvent } from '../../../../main/stt/provider.js';

const KEY = 'dg_SECRET_0123456789';
const codec = () => new DeepgramCodec({ apiKey: KEY });
const feed = (c: DeepgramCodec, ...m: unknown[]): ProviderEvent[] =>
  m.flatMap((x) => c.decode(typeof x === 'string' ? x : JSON.stringify(x), false, { sentSeconds: 9 }));

function results(start: number, duration: number, transcript: string, isFinal: boolean, words: [number, number][] = [], speechFinal = false) {
  return {
    type: 'Results', channel_index: [0, 1], start, duration, is_final: isFinal, speech_final: speechFinal, from_finalize: false,
    channel: { alternatives: [{ transcript, confidence: 0.98, words: words.map(([s, e], i) => ({ word: `w${i}`, start: s, end: e, confidence: 0.9, punctuated_word: `W${i}` })) }] },
    metadata: { request_id: 'r', model_info: { name: 'n', version: 'v', arch: 'a' }, model_uuid: 'u' },
  };
}

describe('DeepgramCodec encoding', () => {
  it('sends binary linear16, KeepAlive as a text frame, Finalize then CloseStream', () => {
    const c = codec();
    const wire = c.encodeAudio(new Int16Array([1, 2])) as Uint8Array;
    expect(Array.from(wire)).toEqual([1, 0, 2, 0]);
    expect(c.keepAlive()).toBe('{"type":"KeepAlive"}');
    expect(c.start()).toEqual([]);
    expect(c.endOfStream()).toEqual(['{"type":"Finalize"}', '{"type":"CloseStream"}']);
  });
});

describe('DeepgramCodec decoding', () => {
  it('keys segments by start: interims of one range replace each other, is_final closes it', () => {
    const events = feed(
      codec(),
      results(0, 1.0, 'hello', false, [[0.1, 0.4]]),
      results(0, 2.0, 'hello world foo', false, [[0.1, 0.4], [0.5, 0.9], [1.2, 1.9]]),
      results(0, 1.0, 'Hello world.', true, [[0.1, 0.4], [0.5, 0.9]], true),
      results(1.0, 1.2, 'foo', false, [[1.2, 1.9]]),
    );
    expect(events).toEqual([
      { type: 'segment', id: 's0', text: 'hello', start: 0.1, end: 0.4, final: false },
      { type: 'segment', id: 's0', text: 'hello world foo', start: 0.1, end: 1.9, final: false },
      { type: 'segment', id: 's0', text: 'Hello world.', start: 0.1, end: 0.9, final: true },
      { type: 'segment', id: 's1000', text: 'foo', start: 1.2, end: 1.9, final: false },
    ]);
  });

  it('uses the result range when there are no words', () => {
    expect(feed(codec(), results(2.5, 0.5, 'x', false))).toEqual([{ type: 'segment', id: 's2500', text: 'x', start: 2.5, end: 3, final: false }]);
  });

  it('withdraws a range whose text became empty and ignores silent finals', () => {
    const c = codec();
    expect(feed(c, results(3, 1, '', true))).toEqual([]);
    feed(c, results(4, 1, 'um', false));
    expect(feed(c, results(4, 1, '', true))).toEqual([{ type: 'retract', id: 's4000' }]);
  });

  it('is flushed on Metadata after CloseStream only', () => {
    const c = codec();
    expect(feed(c, { type: 'Metadata', request_id: 'r' })).toEqual([{ type: 'info', what: 'Metadata' }]);
    c.endOfStream();
    expect(feed(c, { type: 'Metadata', request_id: 'r' })).toEqual([{ type: 'flushed' }]);
  });

  it('treats SpeechStarted and UtteranceEnd as info, errors as warnings without the key', () => {
    const events = feed(
      codec(),
      { type: 'SpeechStarted', channel: [0, 1], timestamp: 1.2 },
      { type: 'UtteranceEnd', channel: [0, 1], last_word_end: 2.1 },
      { type: 'Error', description: `bad ${KEY}`, message: 'x' },
      'nope',
      { type: 'Results', channel: {} },
      { type: 'Results', start: 0, channel: 'x' },
    );
    expect(events.map((e) => e.type)).toEqual(['info', 'info', 'error', 'malformed', 'malformed', 'malformed']);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });
});

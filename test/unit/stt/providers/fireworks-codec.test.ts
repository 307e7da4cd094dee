import { describe, expect, test } from 'vitest';
import { FireworksCodec, parseSegmentId, END_OF_STREAM } from '../../../../main/stt/providers/fireworks/codec.js';
import type { ProviderEvent } from '../../../../main/stt/provider.js';

const ctx = { sentSeconds: 3 };
type W = [text: string, start: number, end: number, final: boolean];
const seg = (id: unknown, words: W[]) => ({
  id,
  text: words.map((w) => ` ${w[0]}`).join(''),
  start: words[0]?.[1],
  end: words[words.length - 1]?.[2],
  words: words.map(([word, start, end, is_final]) => ({ word: ` ${word}`, start, end, is_final })),
});
const result = (...segments: unknown[]) => JSON.stringify({ task: 'transcribe', language: 'en', text: '', words: [], segments });
const decode = (c: FireworksCodec, msg: string | object) => c.decode(typeof msg === 'string' ? msg : JSON.stringify(msg), false, ctx);
const segs = (events: ProviderEvent[]) =>
  events.filter((e) => e.type === 'segment').map((e) => (e.type === 'segment' ? `${e.id}:${e.text}${e.final ? '!' : ''}` : ''));

describe('FireworksCodec', () => {
  test('segment ids: numbers, numeric strings and "seg_N" all key by the integer', () => {
    expect([3, '3', 'seg_3', 'seg3', ' 7 '].map(parseSegmentId)).toEqual([3, 3, 3, 3, 7]);
    expect([-1, 1.5, 'x3', '', null, {}].map(parseSegmentId)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    for (const style of [(i: number) => i, (i: number) => String(i), (i: number) => `seg_${i}`]) {
      const c = new FireworksCodec();
      decode(c, result(seg(style(0), [['alpha', 0.1, 0.4, false]])));
      const ev = decode(c, result(seg(style(0), [['alpha', 0.1, 0.5, true]]), seg(style(1), [['bravo', 1.5, 1.8, false]])));
      expect(segs(ev)).toEqual(['0:alpha!', '1:bravo']);
    }
  });

  test('merge: a segment id replaces its text and times; segments absent from a message stay', () => {
    const c = new FireworksCodec();
    decode(c, result(seg(0, [['alpha', 0.1, 0.4, true]]), seg(1, [['bravo', 1.5, 1.8, false]])));
    const ev = decode(c, result(seg(1, [['bravo', 1.5, 1.9, true], ['charlie', 2.0, 2.3, false]])));
    const s1 = ev.find((e) => e.type === 'segment' && e.id === '1');
    expect(s1).toMatchObject({ text: 'bravo charlie', start: 1.5, end: 2.3, final: false });
    expect(ev.some((e) => e.type === 'retract')).toBe(false);
  });

  test('retraction: local ids above the message\'s highest id are dropped (string ids too)', () => {
    const c = new FireworksCodec();
    decode(c, result(seg('0', [['alpha', 0.1, 0.4, false]]), seg('1', [['bravo', 1.5, 1.8, false]]), seg('2', [['echo', 3, 3.3, false]])));
    const ev = decode(c, result(seg('0', [['alpha', 0.1, 0.4, false]]), seg('1', [['bravo', 1.5, 1.9, false]])));
    expect(ev.filter((e) => e.type === 'retract')).toEqual([{ type: 'retract', id: '2' }]);
    // It can come back later as a fresh segment.
    const again = decode(c, result(seg('0', [['alpha', 0.1, 0.4, false]]), seg('1', [['bravo', 1.5, 1.9, false]]), seg('2', [['golf', 3, 3.4, false]])));
    expect(segs(again)).toContain('2:golf');
  });

  test('finals: all words final AND a later segment exists; the newest segment may still grow', () => {
    const c = new FireworksCodec();
    expect(segs(decode(c, result(seg(0, [['alpha', 0.1, 0.4, true]]))))).toEqual(['0:alpha']);
    expect(segs(decode(c, result(seg(0, [['alpha', 0.1, 0.4, true], ['bravo', 0.6, 0.9, true]]))))).toEqual(['0:alpha bravo']);
    // A later segment with a not-final word in the earlier one: still not final.
    expect(segs(decode(c, result(seg(0, [['alpha', 0.1, 0.4, true], ['bravo', 0.6, 0.9, false]]), seg(1, [['x', 2, 2.2, false]]))))).toEqual([
      '0:alpha bravo',
      '1:x',
    ]);
    expect(segs(decode(c, result(seg(0, [['alpha', 0.1, 0.4, true], ['bravo', 0.6, 1.0, true]]), seg(1, [['xray', 2, 2.3, false]]))))).toEqual([
      '0:alpha bravo!',
      '1:xray',
    ]);
  });

  test('a final segment is sticky: later rewrites and retractions of it are ignored', () => {
    const c = new FireworksCodec();
    decode(c, result(seg(0, [['alpha', 0.1, 0.4, true]]), seg(1, [['bravo', 1.5, 1.8, false]])));
    const ev = decode(c, result(seg(0, [['zulu', 0.1, 0.4, false]])));
    expect(segs(ev)).toEqual([]);
    expect(ev).toEqual([{ type: 'retract', id: '1' }]);
  });

  test('end of stream: the final trace, its echo makes everything final, then flushed', () => {
    const c = new FireworksCodec();
    expect(JSON.parse(c.endOfStream()[0] as string)).toEqual(END_OF_STREAM);
    expect(END_OF_STREAM).toEqual({ event_id: 'streaming_complete', object: 'stt.input.trace', trace_id: 'final' });
    decode(c, result(seg(0, [['alpha', 0.1, 0.4, false]])));
    const ev = decode(c, { event_id: 'x', object: 'stt.output.trace', trace_id: 'final' });
    expect(ev).toEqual([
      { type: 'segment', id: '0', text: 'alpha', start: 0.1, end: 0.4, final: true },
      { type: 'flushed' },
    ]);
  });

  test('the legacy checkpoint echo also completes the flush; unsolicited echoes do not', () => {
    const early = new FireworksCodec();
    expect(decode(early, { checkpoint_id: 'final' })[0]!.type).toBe('info');
    const c = new FireworksCodec();
    c.endOfStream();
    expect(decode(c, { checkpoint_id: 'final', extra: 1 })).toEqual([{ type: 'flushed' }]);
    expect(decode(c, { object: 'stt.output.trace', trace_id: 'final' })[0]!.type).toBe('info');
  });

  test('other traces, state.cleared and results without segments are info', () => {
    const c = new FireworksCodec();
    for (const m of [
      { object: 'stt.output.trace', trace_id: '1712.5' },
      { object: 'stt.state.cleared', reset_id: 'r' },
      { checkpoint_id: 'c1' },
      { task: 'transcribe', text: '', segments: [] },
    ]) {
      expect(decode(c, m).map((e) => e.type)).toEqual(['info']);
    }
  });

  test('errors: string or object; auth errors are fatal', () => {
    const c = new FireworksCodec();
    expect(decode(c, { error: 'internal failure' })).toEqual([{ type: 'error', code: 'SERVER_ERROR', detail: 'internal failure', fatal: false }]);
    expect(decode(c, { error: { message: 'Unauthorized', code: 401 } })).toEqual([
      { type: 'error', code: 'AUTH_REFUSED', detail: '{"message":"Unauthorized","code":401}', fatal: true },
    ]);
    expect(decode(c, { error: null, segments: [] })[0]!.type).toBe('info');
  });

  test('anything unparseable is malformed, never a throw', () => {
    const c = new FireworksCodec();
    for (const m of ['{', 'null', '[1,2]', '"text"', '{"foo":1}']) expect(decode(c, m)[0]!.type, m).toBe('malformed');
    expect(c.decode(Buffer.from([1, 2, 3]), true, ctx)[0]!.type).toBe('malformed');
    const bad = decode(c, result({ id: 'abc', text: 'x' }, 7, seg(0, [['alpha', 0.1, 0.4, false]])));
    expect(bad.map((e) => e.type)).toEqual(['language', 'malformed', 'malformed', 'segment']);
  });

  test('missing times stay undefined (the session fills them); text falls back to words', () => {
    const c = new FireworksCodec();
    const ev = decode(c, result({ id: 0, words: [{ word: ' hello', is_final: false }, { word: 'world ', is_final: false }] }));
    expect(ev).toEqual([{ type: 'language', code: 'en' }, { type: 'segment', id: '0', text: 'hello world', start: undefined, end: undefined, final: false }]);
  });

  test('says which language it hears, once, and again when it changes', () => {
    const c = new FireworksCodec();
    const heard = (lang: string) => decode(c, JSON.stringify({ task: 'transcribe', language: lang, text: '', segments: [seg(0, [['alpha', 0.1, 0.4, false]])] }))
      .filter((e) => e.type === 'language');
    expect(heard('de')).toEqual([{ type: 'language', code: 'de' }]);
    expect(heard('de')).toEqual([]);
    expect(heard('fr')).toEqual([{ type: 'language', code: 'fr' }]);
  });

  test('audio frames are the raw little-endian PCM bytes', () => {
    const c = new FireworksCodec();
    const wire = c.encodeAudio(Int16Array.from([1, -2, 258])) as Uint8Array;
    expect([...wire]).toEqual([1, 0, 0xfe, 0xff, 2, 1]);
    expect(c.start()).toEqual([]);
    expect(c.keepAlive()).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { fireworksPrerecorded, parseVerboseJson } from '../../../main/prerecorded/fireworks-service.js';
import { parseHttpEndpoint } from '../../../main/prerecorded/http-endpoint.js';
import { parseRetryAfter } from '../../../main/prerecorded/retry-after.js';

const w = (word: string, start: number, speaker_id?: string) => ({ word, start, end: start + 0.4, ...(speaker_id ? { speaker_id } : {}) });

describe('Fireworks pre-recorded', () => {
  it('puts each model on its own host and sends lists comma-joined', () => {
    expect(fireworksPrerecorded.baseUrl('whisper-v3')).toBe('https://audio-prod.api.fireworks.ai');
    expect(fireworksPrerecorded.baseUrl('whisper-v3-turbo')).toBe('https://audio-turbo.api.fireworks.ai');
    expect(fireworksPrerecorded.fields({ model: 'whisper-v3-turbo', diarize: true, translate: false }))
      .toEqual([['model', 'whisper-v3-turbo'], ['response_format', 'verbose_json'], ['timestamp_granularities', 'word,segment'], ['diarize', 'true']]);
    expect(fireworksPrerecorded.authHeader('k')).toEqual({ Authorization: 'Bearer k' });
  });

  it('cuts a segment where the speaker changes and names speakers in order of appearance', () => {
    const r = parseVerboseJson({
      text: 'hi there yes indeed', language: 'en', duration: 3,
      segments: [{ id: 0, start: 0, end: 2, text: 'hi there yes', words: [w('hi', 0, 'SPEAKER_01'), w('there', 0.5, 'SPEAKER_01'), w('yes', 1.2, 'SPEAKER_00')] },
        { id: 1, start: 2, end: 3, text: 'indeed', speaker_id: 'SPEAKER_01' }],
    }, false);
    expect(r.segments).toEqual([
      { id: '1', text: 'hi there', start: 0, end: 0.9, speaker: 'Speaker A' },
      { id: '2', text: 'yes', start: 1.2, end: 1.6, speaker: 'Speaker B' },
      { id: '3', text: 'indeed', start: 2, end: 3, speaker: 'Speaker A' },
    ]);
  });

  it('takes top-level words when segments carry none, and text alone when there are no segments', () => {
    const r = parseVerboseJson({ text: 'a b', segments: [{ id: 0, start: 0, end: 2, text: 'a b' }], words: [w('a', 0, '1'), w('b', 1, '2')] }, false);
    expect(r.segments.map((s) => [s.text, s.speaker])).toEqual([['a', 'Speaker A'], ['b', 'Speaker B']]);
    expect(parseVerboseJson({ text: ' only text ', duration: 4 }, true)).toEqual({
      segments: [{ id: '1', text: 'only text', start: 0, end: 4 }], text: 'only text', duration: 4, task: 'translate',
    });
  });

  it('refuses answers that are not verbose_json, saying what is missing', () => {
    expect(() => parseVerboseJson({ segments: [] }, false)).toThrow(/no "text"/);
    expect(() => parseVerboseJson({ text: 'x', segments: [{ text: 'x', start: 'a' }] }, false)).toThrow(/segment lacks/);
    expect(() => parseVerboseJson([1], false)).toThrow(/no "text"/);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(new Date(0).toUTCString(), 4_000)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it('accepts https endpoints anywhere and http only on loopback', () => {
    expect(parseHttpEndpoint('https://audio.example.com/')).toBe('https://audio.example.com');
    expect(parseHttpEndpoint('http://127.0.0.1:8080/base/')).toBe('http://127.0.0.1:8080/base');
    expect(() => parseHttpEndpoint('http://example.com')).toThrow(/only allowed for loopback/);
    expect(() => parseHttpEndpoint('wss://example.com')).toThrow(/use https/);
    expect(() => parseHttpEndpoint('https://example.com/?key=x')).toThrow(/--api-key/);
    expect(() => parseHttpEndpoint('not a url')).toThrow(/not a URL/);
  });
});

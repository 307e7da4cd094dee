/**
 * The helpers every provider codec and spec shares: what counts as a JSON message, that the
 * key never survives scrubbing, how extra options are refused, the close rules all
 * providers follow, and the audio encodings.
 */
import { describe, expect, it } from 'vitest';
import { appendAudioEvent, COMMIT_EVENT, pcmBytes } from '../../../../main/stt/providers/shared/audio-messages.js';
import { isServerTrouble, refusedInBand } from '../../../../main/stt/providers/shared/close-verdicts.js';
import { checkExtra, inRange, isBool, isFiniteNumber, promptTerms } from '../../../../main/stt/providers/shared/extra-options.js';
import { clip, finiteNumber, parseJsonObject, scrubKey } from '../../../../main/stt/providers/shared/wire-text.js';

describe('wire text', () => {
  it('takes only JSON objects as messages', () => {
    expect(parseJsonObject('{"type":"x"}')).toEqual({ type: 'x' });
    for (const text of ['[1]', '3', 'null', '"s"', '{bad', '']) expect(parseJsonObject(text)).toBeUndefined();
  });

  it('masks the key everywhere, leaves too-short keys alone, and clips', () => {
    expect(scrubKey('key sk-1234 and sk-1234 again', 'sk-1234', 300)).toBe('key **** and **** again');
    expect(scrubKey('abc is a word', 'abc', 300)).toBe('abc is a word');
    expect(scrubKey('no key here', undefined, 5)).toBe('no ke…');
    expect(clip('abcdef', 6)).toBe('abcdef');
  });

  it('reads finite numbers only', () => {
    expect(finiteNumber(1.5)).toBe(1.5);
    for (const v of [NaN, Infinity, '1', null, undefined]) expect(finiteNumber(v)).toBeUndefined();
  });
});

describe('extra options', () => {
  const known = { flag: isBool, level: inRange(0, 1), size: inRange(0) };

  it('passes known options with valid values through unchanged', () => {
    const extra = { flag: 'true', level: '0.5', size: '1e6' };
    expect(checkExtra('Acme', extra, known)).toBe(extra);
    expect(checkExtra('Acme', undefined, known)).toEqual({});
  });

  it('names an unknown option with the known ones, and an out-of-range value', () => {
    expect(() => checkExtra('Acme', { speed: '1' }, known)).toThrow('Acme has no option "speed"; known: flag, level, size');
    expect(() => checkExtra('Acme', { level: '2' }, known)).toThrow('Acme option level=2 is out of range');
  });

  it('refuses blanks, non-numbers and infinities as numbers', () => {
    for (const v of ['', ' ', 'x', 'Infinity', 'NaN']) expect(isFiniteNumber(v) || inRange(0)(v)).toBe(false);
    expect(isBool('yes')).toBe(false);
  });

  it('reads the prompt as comma-separated key terms', () => {
    expect(promptTerms(' Earshot , ,tone words,')).toEqual(['Earshot', 'tone words']);
    expect(promptTerms(undefined)).toEqual([]);
  });
});

describe('close rules', () => {
  it('stops after an in-band refusal and leaves the rest to the provider', () => {
    for (const code of ['AUTH_REFUSED', 'CONFIG_REJECTED', 'CLIENT_REJECTED'] as const) expect(refusedInBand(code)).toEqual({ code, retryable: false });
    for (const code of ['SERVER_ERROR', 'RATE_LIMITED', undefined] as const) expect(refusedInBand(code)).toBeUndefined();
  });

  it('knows the RFC 6455 codes of a server in trouble', () => {
    expect([1011, 1012, 1013].every(isServerTrouble)).toBe(true);
    expect([1000, 1006, 1008, 4000].some(isServerTrouble)).toBe(false);
  });
});

describe('audio messages', () => {
  it('copies binary audio, so the session may reuse its buffer', () => {
    const pcm = new Int16Array([1, -2, 3, 4]).subarray(1, 3);
    const bytes = pcmBytes(pcm);
    pcm[0] = 99;
    expect(Array.from(new Int16Array(bytes.buffer))).toEqual([-2, 3]);
  });

  it('carries base64 little-endian samples in the append event', () => {
    const msg = JSON.parse(appendAudioEvent(new Int16Array([0, 1, -1]).subarray(1)));
    expect(msg.type).toBe('input_audio_buffer.append');
    expect(Array.from(Buffer.from(msg.audio, 'base64'))).toEqual([1, 0, 0xff, 0xff]);
    expect(JSON.parse(COMMIT_EVENT)).toEqual({ type: 'input_audio_buffer.commit' });
  });
});

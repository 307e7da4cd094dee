import { describe, expect, it } from 'vitest';
import { getProvider } from '../../../../main/stt/providers/index.js';
import { assemblyAiQuery, assemblyAiSpec, keyterms } from '../../../../main/stt/providers/assemblyai/spec.js';
import { AssemblyAiCodec } from '../../../../main/stt/providers/assemblyai/codec.js';

const KEY = 'aai_SECRET';

describe('assemblyAiSpec.connectRequest', () => {
  it('always sends speech_model once, 16 kHz pcm_s16le, the raw key, and detects the language when none is set', () => {
    const req = assemblyAiSpec.connectRequest({ apiKey: KEY });
    const url = new URL(req.url);
    expect(`${url.origin}${url.pathname}`).toBe('wss://streaming.assemblyai.com/v3/ws');
    expect(url.searchParams.getAll('speech_model')).toEqual(['universal-streaming-english']);
    expect(url.searchParams.get('sample_rate')).toBe('16000');
    expect(url.searchParams.get('encoding')).toBe('pcm_s16le');
    expect(url.searchParams.get('language_detection')).toBe('true');
    expect(url.searchParams.has('format_turns')).toBe(false);
    expect(req.headers).toEqual({ Authorization: KEY });
    expect(req.url).not.toContain(KEY);
  });

  it('turns the prompt into a JSON keyterms_prompt and steers a multilingual model to the language', () => {
    const url = new URL(assemblyAiSpec.connectRequest({ apiKey: KEY, model: 'universal-streaming-multilingual', language: 'es', prompt: 'Earshot, Fireworks AI ,' }).url);
    expect(JSON.parse(url.searchParams.get('keyterms_prompt')!)).toEqual(['Earshot', 'Fireworks AI']);
    expect(url.searchParams.get('speech_model')).toBe('universal-streaming-multilingual');
    expect(url.searchParams.has('language_detection')).toBe(false);
    expect(JSON.parse(url.searchParams.get('language_codes')!)).toEqual(['es']);
  });

  it('picks the EU host and passes known options; refuses unknown ones (the server would ignore them)', () => {
    const req = assemblyAiSpec.connectRequest({ apiKey: KEY, extra: { region: 'eu', format_turns: 'true', max_turn_silence: '800' } });
    const url = new URL(req.url);
    expect(url.host).toBe('streaming.eu.assemblyai.com');
    expect(url.searchParams.get('format_turns')).toBe('true');
    expect(url.searchParams.get('max_turn_silence')).toBe('800');
    expect(url.searchParams.has('region')).toBe(false);
    expect(() => assemblyAiQuery({ apiKey: KEY, extra: { formatted_finals: 'true' } })).toThrow(/no option "formatted_finals"/);
    expect(() => assemblyAiQuery({ apiKey: KEY, extra: { format_turns: 'yes' } })).toThrow(/out of range/);
  });

  it('checks the key-term limits', () => {
    expect(keyterms('')).toBeUndefined();
    expect(() => keyterms(Array.from({ length: 101 }, (_, i) => `t${i}`).join(','))).toThrow(/at most 100/);
    expect(() => keyterms('x'.repeat(51))).toThrow(/at most 50/);
  });

  it('makes a format_turns codec when asked', () => {
    const c = assemblyAiSpec.createCodec({ apiKey: KEY, extra: { format_turns: 'true' } }) as AssemblyAiCodec;
    const turn = { type: 'Turn', turn_order: 0, end_of_turn: true, turn_is_formatted: false, transcript: 'a', words: [] };
    expect(c.decode(JSON.stringify(turn), false, { sentSeconds: 1 })).toMatchObject([{ final: false }]);
  });
});

describe('assemblyAiSpec codes', () => {
  it.each([
    [401, 'AUTH_REFUSED', false], [403, 'AUTH_REFUSED', false], [400, 'CONFIG_REJECTED', false],
    [429, 'RATE_LIMITED', true], [500, 'HANDSHAKE_FAILED', true],
  ])('handshake %i -> %s', (status, code, retryable) => {
    expect(assemblyAiSpec.classifyHandshake(status)).toMatchObject({ code, retryable });
  });

  it.each([
    [3008, 'Session Expired', undefined, 'SESSION_EXPIRED', true],
    [3005, 'Session Cancelled', 'SERVER_ERROR', 'SERVER_ERROR', true],
    [3007, 'See Error message for details', 'CLIENT_REJECTED', 'CLIENT_REJECTED', false],
    [3006, 'Invalid Message', undefined, 'CLIENT_REJECTED', false],
    [3009, 'Too many concurrent sessions', 'RATE_LIMITED', 'RATE_LIMITED', true],
    [1008, 'Unauthorized Connection: Missing Authorization header', undefined, 'AUTH_REFUSED', false],
    [1013, '', undefined, 'SERVER_ERROR', true],
    [1006, '', undefined, 'NETWORK', true],
    [1006, '', 'AUTH_REFUSED', 'AUTH_REFUSED', false],
  ] as const)('close %i "%s" after %s -> %s', (code, reason, last, expected, retryable) => {
    expect(assemblyAiSpec.classifyClose(code, reason, last)).toMatchObject({ code: expected, retryable });
  });

  it('has the documented frame limits and handshake', () => {
    expect(assemblyAiSpec.frameMs).toMatchObject({ min: 50, max: 1000 });
    expect(assemblyAiSpec.waitForReady).toBe(true);
    expect(assemblyAiSpec.clientClosesAfterFlush).toBe(false);
    expect(assemblyAiSpec.flushTimeoutMs).toBeLessThanOrEqual(6000);
  });
});

describe('assemblyai registry entry', () => {
  it('is reachable through getProvider()', () => {
    expect(getProvider('assemblyai')).toBe(assemblyAiSpec);
    expect(assemblyAiSpec.id).toBe('assemblyai');
  });
});

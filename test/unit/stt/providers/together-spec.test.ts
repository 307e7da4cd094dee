import { describe, expect, it } from 'vitest';
import { getProvider } from '../../../../main/stt/providers/index.js';
import { togetherSpec, togetherQuery } from '../../../../main/stt/providers/together/spec.js';
import { EarshotError } from '../../../../shared/errors.js';

const KEY = 'tgp_v1_SECRET';

describe('togetherSpec.connectRequest', () => {
  it('builds the documented URL with Bearer auth, language and a caption-friendly VAD cut', () => {
    const req = togetherSpec.connectRequest({ apiKey: KEY, language: 'ru' });
    const url = new URL(req.url);
    expect(`${url.origin}${url.pathname}`).toBe('wss://api.together.ai/v1/realtime');
    expect(url.searchParams.get('model')).toBe('openai/whisper-large-v3');
    expect(url.searchParams.get('input_audio_format')).toBe('pcm_s16le_16000');
    expect(url.searchParams.get('language')).toBe('ru');
    expect(Number(url.searchParams.get('max_speech_duration_s'))).toBeGreaterThan(5);
    expect(req.headers).toEqual({ Authorization: `Bearer ${KEY}` });
    expect(req.url).not.toContain(KEY);
  });

  it('passes VAD options through and refuses unknown or out-of-range ones', () => {
    const q = togetherQuery({ apiKey: KEY, extra: { threshold: '0.5', min_silence_duration_ms: '800', turn_detection: 'server_vad' } });
    expect(q).toMatchObject({ threshold: '0.5', min_silence_duration_ms: '800', turn_detection: 'server_vad', max_speech_duration_s: '15' });
    expect(q.language).toBeUndefined();
    expect(() => togetherQuery({ apiKey: KEY, extra: { threshhold: '0.5' } })).toThrow(/no option "threshhold"/);
    expect(() => togetherQuery({ apiKey: KEY, extra: { threshold: '2' } })).toThrow(EarshotError);
  });

  it('uses an endpoint override (loopback ws:// allowed, other ws:// refused) and needs a key', () => {
    expect(togetherSpec.connectRequest({ apiKey: KEY, endpoint: 'ws://127.0.0.1:4000/v1/realtime' }).url).toMatch(/^ws:\/\/127\.0\.0\.1:4000\/v1\/realtime\?model=/);
    expect(() => togetherSpec.connectRequest({ apiKey: KEY, endpoint: 'ws://example.com/x' })).toThrow(expect.objectContaining({ code: 'ENDPOINT_INVALID' }));
    expect(() => togetherSpec.connectRequest({ apiKey: '' })).toThrow(expect.objectContaining({ code: 'KEY_MISSING' }));
  });
});

describe('togetherSpec end of stream and codes', () => {
  it('closes the socket itself after the last completed', () => {
    expect(togetherSpec.clientClosesAfterFlush).toBe(true);
    expect(togetherSpec.waitForReady).toBe(true);
    expect(togetherSpec.sampleRate).toBe(16000);
  });

  it.each([
    [401, 'AUTH_REFUSED', false], [403, 'AUTH_REFUSED', false], [400, 'CONFIG_REJECTED', false],
    [429, 'RATE_LIMITED', true], [500, 'HANDSHAKE_FAILED', true], [503, 'HANDSHAKE_FAILED', true],
  ])('handshake %i -> %s', (status, code, retryable) => {
    expect(togetherSpec.classifyHandshake(status)).toMatchObject({ code, retryable });
  });

  it.each([
    [1006, undefined, 'NETWORK', true],
    [1000, undefined, 'NETWORK', true],
    [1011, undefined, 'SERVER_ERROR', true],
    [1008, undefined, 'AUTH_REFUSED', false],
    [1002, undefined, 'CLIENT_REJECTED', false],
    [1000, 'AUTH_REFUSED', 'AUTH_REFUSED', false],
    [1006, 'CONFIG_REJECTED', 'CONFIG_REJECTED', false],
    [1006, 'SERVER_ERROR', 'SERVER_ERROR', true],
  ] as const)('close %i after %s -> %s', (code, last, expected, retryable) => {
    expect(togetherSpec.classifyClose(code, '', last)).toMatchObject({ code: expected, retryable });
  });
});

describe('together registry entry', () => {
  it('is reachable through getProvider()', () => {
    expect(getProvider('together')).toBe(togetherSpec);
    expect(togetherSpec.id).toBe('together');
  });
});

import { describe, expect, test } from 'vitest';
import { EarshotError } from '../../../../shared/errors.js';
import { fireworksSpec } from '../../../../main/stt/providers/fireworks/spec.js';
import { availableProviders, getProvider } from '../../../../main/stt/providers/index.js';

const KEY = 'fw_test_key_123456';

describe('fireworksSpec', () => {
  test('host per model, fixed path, raw key in the Authorization header, never in the URL', () => {
    const large = fireworksSpec.connectRequest({ apiKey: KEY });
    expect(large.url.startsWith('wss://audio-streaming.api.fireworks.ai/v1/audio/transcriptions/streaming?')).toBe(true);
    expect(large.headers).toEqual({ Authorization: KEY });
    expect(large.url).not.toContain(KEY);
    const v2 = fireworksSpec.connectRequest({ apiKey: KEY, model: 'fireworks-asr-v2' });
    expect(new URL(v2.url).host).toBe('audio-streaming-v2.api.fireworks.ai');
  });

  test('query: verbose_json, word+segment timestamps, language, prompt, temperature', () => {
    const q = new URL(fireworksSpec.connectRequest({ apiKey: KEY, language: 'de', prompt: 'Earshot, Fireworks', temperature: 0.2 }).url).searchParams;
    expect(q.get('response_format')).toBe('verbose_json');
    expect(q.get('timestamp_granularities')).toBe('word,segment');
    expect(q.get('language')).toBe('de');
    expect(q.get('prompt')).toBe('Earshot, Fireworks');
    expect(q.get('temperature')).toBe('0.2');
    const bare = new URL(fireworksSpec.connectRequest({ apiKey: KEY }).url).searchParams;
    expect(bare.has('language') || bare.has('prompt') || bare.has('temperature')).toBe(false);
  });

  test('endpoint override: loopback ws allowed, remote ws refused, unknown model refused, key required', () => {
    expect(fireworksSpec.connectRequest({ apiKey: KEY, endpoint: 'ws://127.0.0.1:9/v1/audio/transcriptions/streaming' }).url).toMatch(/^ws:\/\/127\.0\.0\.1:9\//);
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'none';
      } catch (e) {
        return (e as EarshotError).code;
      }
    };
    expect(code(() => fireworksSpec.connectRequest({ apiKey: KEY, endpoint: 'ws://example.com/x' }))).toBe('ENDPOINT_INVALID');
    expect(code(() => fireworksSpec.connectRequest({ apiKey: KEY, model: 'whisper-v9' }))).toBe('BAD_ARGUMENT');
    expect(code(() => fireworksSpec.connectRequest({ apiKey: '  ' }))).toBe('KEY_MISSING');
  });

  test('handshake refusals: 401/403 fatal, 429 rate-limited, 5xx retried', () => {
    const table = [401, 403, 429, 500, 502, 503, 400, 404].map((s) => {
      const v = fireworksSpec.classifyHandshake(s);
      return [s, v.code, v.retryable];
    });
    expect(table).toEqual([
      [401, 'AUTH_REFUSED', false],
      [403, 'AUTH_REFUSED', false],
      [429, 'RATE_LIMITED', true],
      [500, 'HANDSHAKE_FAILED', true],
      [502, 'HANDSHAKE_FAILED', true],
      [503, 'HANDSHAKE_FAILED', true],
      [400, 'CONFIG_REJECTED', false],
      [404, 'ENDPOINT_INVALID', false],
    ]);
    expect(fireworksSpec.classifyHandshake(429).minDelayMs).toBeGreaterThan(0);
  });

  test('any close we did not ask for is retryable, unless an auth error preceded it', () => {
    for (const code of [1000, 1001, 1006, 1008, 1011, 4000]) expect(fireworksSpec.classifyClose(code, '', undefined).retryable).toBe(true);
    expect(fireworksSpec.classifyClose(1006, '', undefined).code).toBe('NETWORK');
    expect(fireworksSpec.classifyClose(1011, '', undefined).code).toBe('SERVER_ERROR');
    expect(fireworksSpec.classifyClose(1011, '', 'SERVER_ERROR')).toEqual({ code: 'SERVER_ERROR', retryable: true });
    expect(fireworksSpec.classifyClose(1008, '', 'AUTH_REFUSED').retryable).toBe(false);
  });

  test('facts: 16 kHz, 50-400 ms frames, ~15 s flush, no ready wait, client closes after flush', () => {
    expect(fireworksSpec).toMatchObject({ sampleRate: 16000, frameMs: { min: 50, max: 400, default: 50 }, waitForReady: false, clientClosesAfterFlush: true });
    expect(fireworksSpec.flushTimeoutMs).toBe(15_000);
  });

  test('registry', () => {
    expect(getProvider('fireworks')).toBe(fireworksSpec);
    expect(availableProviders()).toContain('fireworks');
    expect(() => getProvider('nope')).toThrow(EarshotError);
  });
});

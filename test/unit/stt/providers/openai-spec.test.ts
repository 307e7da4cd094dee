import { describe, expect, it } from 'vitest';
import { getProvider } from '../../../../main/stt/providers/index.js';
import { openAiSpec, openAiTurnDetection } from '../../../../main/stt/providers/openai/spec.js';

const KEY = 'sk-SECRET';

describe('openAiSpec', () => {
  it('connects in transcription intent without a model in the URL, with a Bearer key', () => {
    const req = openAiSpec.connectRequest({ apiKey: KEY, model: 'whisper-1' });
    expect(req.url).toBe('wss://api.openai.com/v1/realtime?intent=transcription');
    expect(req.headers).toEqual({ Authorization: `Bearer ${KEY}` });
    expect(openAiSpec.sampleRate).toBe(24000);
  });

  it('configures the model in session.update, with server VAD unless the model rejects it', () => {
    const start = (model: string, extra?: Record<string, string>) =>
      JSON.parse(openAiSpec.createCodec({ apiKey: KEY, model, extra }).start()[0] as string).session.audio.input;
    expect(start('gpt-4o-mini-transcribe').transcription.model).toBe('gpt-4o-mini-transcribe');
    expect(start('gpt-4o-mini-transcribe').turn_detection.type).toBe('server_vad');
    expect(start('gpt-realtime-whisper').turn_detection).toBeUndefined();
    expect(start('whisper-1', { turn_detection: 'none' }).turn_detection).toBeUndefined();
    expect(start('whisper-1', { noise_reduction: 'far_field' }).noise_reduction).toEqual({ type: 'far_field' });
    expect(openAiTurnDetection('whisper-1', { silence_duration_ms: '800' })).toMatchObject({ silence_duration_ms: 800, threshold: 0.5 });
    expect(() => openAiSpec.connectRequest({ apiKey: KEY, extra: { vad: 'x' } })).toThrow(/no option "vad"/);
  });

  it.each([
    [401, 'AUTH_REFUSED', false], [403, 'AUTH_REFUSED', false], [400, 'CONFIG_REJECTED', false],
    [429, 'RATE_LIMITED', true], [502, 'HANDSHAKE_FAILED', true],
  ])('handshake %i -> %s', (status, code, retryable) => {
    expect(openAiSpec.classifyHandshake(status)).toMatchObject({ code, retryable });
  });

  it.each([
    [1000, 'CONFIG_REJECTED', 'CONFIG_REJECTED', false],
    [1000, 'AUTH_REFUSED', 'AUTH_REFUSED', false],
    [1000, 'SESSION_EXPIRED', 'SESSION_EXPIRED', true],
    [1006, undefined, 'NETWORK', true],
    [1011, undefined, 'SERVER_ERROR', true],
    [1008, undefined, 'AUTH_REFUSED', false],
  ] as const)('close %i after %s -> %s', (code, last, expected, retryable) => {
    expect(openAiSpec.classifyClose(code, '', last)).toMatchObject({ code: expected, retryable });
  });
});

describe('openai registry entry', () => {
  it('is reachable through getProvider()', () => {
    expect(getProvider('openai')).toBe(openAiSpec);
    expect(openAiSpec.id).toBe('openai');
  });
});

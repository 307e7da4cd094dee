import { describe, expect, it } from 'vitest';
import { getProvider } from '../../../../main/stt/providers/index.js';
import { deepgramQuery, deepgramSpec } from '../../../../main/stt/providers/deepgram/spec.js';

const KEY = 'dg_SECRET';

describe('deepgramSpec', () => {
  it('asks for linear16 16 kHz mono with interim results, with a Token key', () => {
    const req = deepgramSpec.connectRequest({ apiKey: KEY, language: 'en' });
    const url = new URL(req.url);
    expect(`${url.origin}${url.pathname}`).toBe('wss://api.deepgram.com/v1/listen');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({ model: 'nova-3', encoding: 'linear16', sample_rate: '16000', channels: '1', interim_results: 'true', punctuate: 'true', smart_format: 'true', utterance_end_ms: '1000', language: 'en' });
    expect(req.headers).toEqual({ Authorization: `Token ${KEY}` });
    expect(req.url).not.toContain(KEY);
  });

  it('sends key terms as repeated keyterm for Nova-3 and keywords for older models', () => {
    expect(new URL(deepgramSpec.connectRequest({ apiKey: KEY, prompt: 'Earshot, Fireworks' }).url).searchParams.getAll('keyterm')).toEqual(['Earshot', 'Fireworks']);
    expect(new URL(deepgramSpec.connectRequest({ apiKey: KEY, model: 'nova-2', prompt: 'Earshot' }).url).searchParams.getAll('keywords')).toEqual(['Earshot']);
    expect(deepgramQuery({ apiKey: KEY, extra: { endpointing: 'false' } }).endpointing).toBe('false');
    expect(() => deepgramQuery({ apiKey: KEY, extra: { utterance_end_ms: '500' } })).toThrow(/out of range/);
  });

  it('keeps the link alive well inside the 10 s idle limit', () => {
    expect(deepgramSpec.keepAliveMs).toBeGreaterThanOrEqual(3000);
    expect(deepgramSpec.keepAliveMs).toBeLessThanOrEqual(5000);
    expect(deepgramSpec.waitForReady).toBe(false);
  });

  it.each([
    [401, 'AUTH_REFUSED', false], [402, 'AUTH_REFUSED', false], [400, 'CONFIG_REJECTED', false],
    [429, 'RATE_LIMITED', true], [503, 'HANDSHAKE_FAILED', true],
  ])('handshake %i -> %s', (status, code, retryable) => {
    expect(deepgramSpec.classifyHandshake(status)).toMatchObject({ code, retryable });
  });

  it.each([
    [1011, 'NET-0001', 'LINK_STALLED', true],
    [1011, 'NET-0000', 'SERVER_ERROR', true],
    [1008, 'DATA-0000', 'CLIENT_REJECTED', false],
    [1006, '', 'NETWORK', true],
    [1000, '', 'NETWORK', true],
  ] as const)('close %i %s -> %s', (code, reason, expected, retryable) => {
    expect(deepgramSpec.classifyClose(code, reason, undefined)).toMatchObject({ code: expected, retryable });
  });
});

describe('deepgram registry entry', () => {
  it('is reachable through getProvider()', () => {
    expect(getProvider('deepgram')).toBe(deepgramSpec);
    expect(deepgramSpec.id).toBe('deepgram');
  });
});

import { describe, expect, test } from 'vitest';
import { EarshotError } from '../../../shared/errors.js';
import { buildEndpointUrl, isLoopbackHost, parseEndpoint } from '../../../main/stt/endpoint.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof EarshotError ? e.code : 'other';
  }
  return 'none';
};

describe('endpoint', () => {
  test('loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]', '::1', 'LOCALHOST', 'x.localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ['128.0.0.1', '10.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '::2', '127.0.0.256']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  test('wss anywhere, ws only on loopback', () => {
    expect(parseEndpoint('wss://audio-streaming.api.fireworks.ai/v1/x').host).toBe('audio-streaming.api.fireworks.ai');
    expect(parseEndpoint('ws://127.0.0.1:4000/v1/x').port).toBe('4000');
    expect(parseEndpoint('ws://[::1]:4000/').hostname).toBe('[::1]');
    expect(codeOf(() => parseEndpoint('ws://example.com/v1'))).toBe('ENDPOINT_INVALID');
    expect(codeOf(() => parseEndpoint('https://example.com/v1'))).toBe('ENDPOINT_INVALID');
    expect(codeOf(() => parseEndpoint('not a url'))).toBe('ENDPOINT_INVALID');
  });

  test('keys are never accepted inside a URL', () => {
    expect(codeOf(() => parseEndpoint('wss://user:secret@example.com/'))).toBe('ENDPOINT_INVALID');
    expect(codeOf(() => parseEndpoint('wss://example.com/?Authorization=abc'))).toBe('ENDPOINT_INVALID');
    expect(codeOf(() => parseEndpoint('wss://example.com/?api_key=abc'))).toBe('ENDPOINT_INVALID');
    try {
      parseEndpoint('wss://u:topsecret@example.com/');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('topsecret');
    }
  });

  test('query parameters: set, skip empty, repeat arrays, keep the endpoint\'s own', () => {
    const url = new URL(
      buildEndpointUrl('wss://h.example/p?region=eu&language=xx', {
        language: 'en',
        prompt: 'a b&c',
        temperature: 0,
        empty: '',
        missing: undefined,
        keyterm: ['one', 'two'],
      }),
    );
    expect(url.searchParams.get('region')).toBe('eu');
    expect(url.searchParams.getAll('language')).toEqual(['en']);
    expect(url.searchParams.get('prompt')).toBe('a b&c');
    expect(url.searchParams.get('temperature')).toBe('0');
    expect(url.searchParams.has('empty')).toBe(false);
    expect(url.searchParams.has('missing')).toBe(false);
    expect(url.searchParams.getAll('keyterm')).toEqual(['one', 'two']);
  });
});

import { describe, expect, it } from 'vitest';
import { checkMessage, checkPayload, checkSender, pageOfUrl } from '../../../main/app/ipc-validate.js';
import { DEFAULT_STYLE } from '../../../shared/overlay-style.js';

const from = (url: string | null, isMainFrame = true) => ({ url, isMainFrame });

describe('pageOfUrl', () => {
  it('recognises exactly our pages', () => {
    expect(pageOfUrl('app://earshot/overlay.html')).toBe('overlay');
    expect(pageOfUrl('app://earshot/settings.html?x=1#y')).toBe('settings');
    expect(pageOfUrl('app://earshot/capture.html')).toBe('capture');
  });

  it.each([
    'file:///opt/earshot/out/renderer/settings.html',
    'https://earshot/settings.html',
    'http://127.0.0.1:7723/overlay',
    'app://evil/settings.html',
    'app://earshot.evil.com/settings.html',
    'app://earshot@evil/settings.html',
    'app://earshot/settings.html.evil',
    'app://earshot/assets/settings.html',
    'app://earshot/',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(pageOfUrl(url)).toBeNull();
  });
});

describe('checkSender', () => {
  it('allows a page its own channels only', () => {
    expect(checkSender('settings:save', from('app://earshot/settings.html'))).toEqual({ ok: true, value: 'settings' });
    const r = checkSender('settings:save', from('app://earshot/overlay.html'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/not allowed from the overlay page/);
    expect(checkSender('history:export', from('app://earshot/settings.html')).ok).toBe(false);
    expect(checkSender('capture:chunk', from('app://earshot/overlay.html')).ok).toBe(false);
  });

  it('refuses sub-frames, vanished frames and foreign origins', () => {
    expect(checkSender('settings:get', from('app://earshot/settings.html', false))).toMatchObject({ ok: false, reason: expect.stringMatching(/sub-frame/) });
    expect(checkSender('settings:get', from(null))).toMatchObject({ ok: false, reason: expect.stringMatching(/gone/) });
    expect(checkSender('settings:get', from('https://attacker.example/settings.html'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not an app page/) });
  });
});

describe('checkPayload', () => {
  it('requires no payload where none is expected', () => {
    expect(checkPayload('settings:get', undefined).ok).toBe(true);
    expect(checkPayload('settings:get', { sneaky: true }).ok).toBe(false);
  });

  it('checks the click-through flag', () => {
    expect(checkPayload('overlay:set-click-through', false)).toEqual({ ok: true, value: false });
    expect(checkPayload('overlay:set-click-through', 'false').ok).toBe(false);
    expect(checkPayload('overlay:hover-unlock', true)).toEqual({ ok: true, value: true });
    expect(checkPayload('overlay:hover-unlock', 1).ok).toBe(false);
  });

  it('checks a transcription request: two flags, nothing else kept', () => {
    expect(checkPayload('transcribe:start', { translate: false, diarize: true, path: '/etc/passwd' })).toEqual({ ok: true, value: { translate: false, diarize: true } });
    expect(checkPayload('transcribe:start', { translate: 'yes', diarize: true }).ok).toBe(false);
    expect(checkPayload('transcribe:start', null).ok).toBe(false);
  });

  it('checks a resize request: two finite positive sizes, nothing else kept', () => {
    expect(checkPayload('overlay:resize', { width: 800, height: 120, x: 5 })).toEqual({ ok: true, value: { width: 800, height: 120 } });
    for (const bad of [null, { width: 800 }, { width: -1, height: 100 }, { width: Infinity, height: 100 }, { width: '800', height: 100 }, { width: 1e9, height: 100 }]) {
      expect(checkPayload('overlay:resize', bad).ok).toBe(false);
    }
  });

  it('validates a previewed style with the settings rules', () => {
    expect(checkPayload('settings:preview-style', DEFAULT_STYLE).ok).toBe(true);
    const bad = checkPayload('settings:preview-style', { ...DEFAULT_STYLE, fontFamily: 'x"; } body { display:none' });
    expect(bad.ok).toBe(false);
    expect(checkPayload('settings:preview-style', 'red').ok).toBe(false);
  });

  it('checks keys: provider, length, no whitespace inside, storage', () => {
    expect(checkPayload('keys:set', { provider: 'fireworks', key: '  fw_abc123  ', storage: 'disk' }))
      .toEqual({ ok: true, value: { provider: 'fireworks', key: 'fw_abc123', storage: 'disk', acceptBasicText: false } });
    expect(checkPayload('keys:set', { provider: 'acme', key: 'k', storage: 'disk' }).ok).toBe(false);
    expect(checkPayload('keys:set', { provider: 'fireworks', key: '', storage: 'disk' }).ok).toBe(false);
    expect(checkPayload('keys:set', { provider: 'fireworks', key: 'a b', storage: 'disk' }).ok).toBe(false);
    expect(checkPayload('keys:set', { provider: 'fireworks', key: 'x'.repeat(1001), storage: 'disk' }).ok).toBe(false);
    expect(checkPayload('keys:set', { provider: 'fireworks', key: 'abc', storage: 'cloud' }).ok).toBe(false);
    expect(checkPayload('keys:set', { provider: 'fireworks', key: 'abc', storage: 'disk', acceptBasicText: 'yes' }).ok).toBe(false);
  });

  it('checks export requests and copy text', () => {
    expect(checkPayload('history:export', { format: 'srt', query: 'hello' })).toEqual({ ok: true, value: { format: 'srt', query: 'hello' } });
    expect(checkPayload('history:export', { format: 'docx', query: '' }).ok).toBe(false);
    expect(checkPayload('history:export', { format: 'txt', query: 5 }).ok).toBe(false);
    expect(checkPayload('history:copy', 'some text').ok).toBe(true);
    expect(checkPayload('history:copy', { text: 'x' }).ok).toBe(false);
  });

  it('checks audio sources and providers', () => {
    expect(checkPayload('audio:test-level', 'device:3').ok).toBe(true);
    expect(checkPayload('audio:test-level', 'speakers').ok).toBe(false);
    expect(checkPayload('audio:test-level', undefined).ok).toBe(false);
    expect(checkPayload('keys:clear', 'deepgram').ok).toBe(true);
    expect(checkPayload('keys:clear', 'x').ok).toBe(false);
  });

  it('checks capture chunks, accepting the shapes structured clone may produce', () => {
    const data = new Float32Array([0.1, -0.1, 0.2, -0.2]);
    const good = checkPayload('capture:chunk', { seq: 0, sampleRate: 48000, channels: 2, data });
    expect(good.ok && good.value.data).toEqual(data);
    const fromBytes = checkPayload('capture:chunk', { seq: 1, sampleRate: 48000, channels: 2, data: new Uint8Array(data.buffer) });
    expect(fromBytes.ok && Array.from(fromBytes.value.data)).toEqual(Array.from(data));
    expect(checkPayload('capture:chunk', { seq: 0, sampleRate: 48000, channels: 3, data }).ok).toBe(false);
    expect(checkPayload('capture:chunk', { seq: -1, sampleRate: 48000, channels: 2, data }).ok).toBe(false);
    expect(checkPayload('capture:chunk', { seq: 0, sampleRate: 1, channels: 2, data }).ok).toBe(false);
    expect(checkPayload('capture:chunk', { seq: 0, sampleRate: 48000, channels: 2, data: [0.1, 0.2] }).ok).toBe(false);
    expect(checkPayload('capture:chunk', { seq: 0, sampleRate: 48000, channels: 1, data: new Float32Array(192_000 * 8 + 1) }).ok).toBe(false);
  });
});

describe('checkMessage', () => {
  it('checks the sender before the payload and names the channel', () => {
    const bad = checkMessage('settings:save', from('app://earshot/history.html'), { any: 1 });
    expect(bad).toMatchObject({ ok: false, reason: expect.stringMatching(/^settings:save: not allowed/) });
    const badPayload = checkMessage('settings:save', from('app://earshot/settings.html'), 'x');
    expect(badPayload).toMatchObject({ ok: false, reason: 'settings:save: settings must be an object' });
    expect(checkMessage('history:get', from('app://earshot/history.html'), undefined)).toEqual({ ok: true, value: { page: 'history', payload: undefined } });
  });
});

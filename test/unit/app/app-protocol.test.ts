import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowNavigation, allowPermissionRequest, CONTENT_SECURITY_POLICY, resolveAppRequest, responseHeaders } from '../../../main/app/app-protocol.js';

const root = resolve('/opt/earshot/out/renderer');

describe('app:// protocol', () => {
  it('maps our URLs to files inside the renderer folder with their type', () => {
    expect(resolveAppRequest('app://earshot/settings.html', root)).toEqual({ kind: 'file', path: join(root, 'settings.html'), mime: 'text/html; charset=utf-8' });
    expect(resolveAppRequest('app://earshot/assets/settings-x1.js?v=1', root)).toMatchObject({ kind: 'file', path: join(root, 'assets/settings-x1.js'), mime: expect.stringMatching(/javascript/) });
    expect(resolveAppRequest('app://earshot/capture/pcm-tap.worklet.js', root)).toMatchObject({ kind: 'file' });
  });

  it.each([
    ['app://earshot/../../../etc/passwd', 404],
    ['app://earshot/..%2f..%2f..%2fetc%2fpasswd.html', 403],
    ['app://earshot/a%5c..%5c..%5cx.html', 400],
    ['app://earshot/x%00.html', 400],
    ['app://earshot/%E0%A4%A.html', 400],
    ['app://other/settings.html', 403],
    ['https://earshot/settings.html', 403],
    ['app://earshot/', 404],
    ['app://earshot/settings', 404],
    ['app://earshot/keys.exe', 404],
  ])('refuses %s (%i)', (url, status) => {
    expect(resolveAppRequest(url, root)).toEqual({ kind: 'error', status });
  });

  it('keeps dot segments the URL parser resolves inside the folder', () => {
    // WHATWG URL turns /%2e%2e/ into /..: the request lands on root/secret.json, never above it.
    expect(resolveAppRequest('app://earshot/%2e%2e/secret.json', root)).toEqual({ kind: 'file', path: join(root, 'secret.json'), mime: expect.any(String) });
  });

  it('refuses methods other than GET and HEAD', () => {
    expect(resolveAppRequest('app://earshot/settings.html', root, 'POST')).toEqual({ kind: 'error', status: 405 });
  });

  it('sends a CSP without network access or inline scripts', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    expect(responseHeaders('text/html')).toMatchObject({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' });
  });

  describe('permission requests', () => {
    // What Electron 45 hands the request handler for the capture page's getDisplayMedia({ audio, video }).
    const displayAudio = { permission: 'display-capture', requestingUrl: 'app://earshot/capture.html', isMainFrame: true, mediaTypes: ['video', 'audio'] };

    it('grants display capture with audio to the capture page', () => {
      expect(allowPermissionRequest(displayAudio)).toBe(true);
      expect(allowPermissionRequest({ ...displayAudio, mediaTypes: ['audio'] })).toBe(true);
    });

    it.each([
      ['another page', { requestingUrl: 'app://earshot/overlay.html' }],
      ['another origin', { requestingUrl: 'https://evil.example/capture.html' }],
      ['a look-alike URL', { requestingUrl: 'app://user@earshot/capture.html' }],
      ['a sub-frame', { isMainFrame: false }],
      ['screen video without audio', { mediaTypes: ['video'] }],
      ['no media types', { mediaTypes: undefined }],
      ['an unknown media type', { mediaTypes: ['audio', 'unknown'] }],
      // Electron 45: 'media' is camera and microphone, which the capture page never uses.
      ['the microphone', { permission: 'media', mediaTypes: ['audio'] }],
      ['the camera', { permission: 'media', mediaTypes: ['video'] }],
    ])('refuses %s', (_name, change) => {
      expect(allowPermissionRequest({ ...displayAudio, ...change })).toBe(false);
    });

    it.each(['notifications', 'clipboard-read', 'geolocation', 'openExternal', 'fullscreen', 'captured-surface-control', 'unknown'])('refuses %s, even to the capture page', (permission) => {
      expect(allowPermissionRequest({ ...displayAudio, permission })).toBe(false);
    });
  });

  it('allows no navigation', () => {
    expect(allowNavigation('app://earshot/settings.html', 'https://example.com')).toBe(false);
    expect(allowNavigation('app://earshot/settings.html', 'app://earshot/history.html')).toBe(false);
  });
});

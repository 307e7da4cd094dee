import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentType, resolveInside } from '../../../main/overlay/static-files.js';
import { generateToken, tokenMatches } from '../../../main/overlay/token.js';

describe('resolveInside', () => {
  const root = mkdtempSync(join(tmpdir(), 'earshot-static-'));
  const assets = join(root, 'assets');
  mkdirSync(join(assets, 'sub'), { recursive: true });
  writeFileSync(join(assets, 'app.js'), 'ok');
  writeFileSync(join(assets, 'sub', 'font.woff2'), 'ok');
  writeFileSync(join(root, 'secret.json'), '{}');
  symlinkSync(join(root, 'secret.json'), join(assets, 'link.json'));

  it('finds regular files inside the folder', async () => {
    expect(await resolveInside(assets, 'app.js')).toBe(join(assets, 'app.js'));
    expect(await resolveInside(assets, 'sub/font.woff2')).toBe(join(assets, 'sub', 'font.woff2'));
    expect(await resolveInside(assets, 'sub%2Ffont.woff2')).toBe(join(assets, 'sub', 'font.woff2'));
  });

  it('refuses anything outside it, folders, missing files and odd encodings', async () => {
    for (const p of ['../secret.json', '%2e%2e/secret.json', '..%2Fsecret.json', 'sub/../../secret.json', '/etc/passwd',
      'link.json', 'sub', '', 'nope.js', 'app.js%00.png', '%E0%A4%A', '..\\secret.json']) {
      expect(await resolveInside(assets, p), p).toBeNull();
    }
  });

  it('names content types by extension', () => {
    expect(contentType('a/b.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentType('x.woff2')).toBe('font/woff2');
    expect(contentType('x.unknown')).toBe('application/octet-stream');
  });
});

describe('overlay token', () => {
  it('is random, URL-safe and long enough', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generateToken()).not.toBe(a);
  });

  it('matches only the exact token', () => {
    expect(tokenMatches('secret-token', 'secret-token')).toBe(true);
    for (const wrong of ['secret-toke', 'secret-token2', 'SECRET-TOKEN', '', null, undefined]) expect(tokenMatches('secret-token', wrong)).toBe(false);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, type SafeStoragePort } from '../../../main/app/key-store.js';

/** Reversible "encryption" with a marker, so tests can see the key is not stored in clear. */
class FakeSafeStorage implements SafeStoragePort {
  available = true;
  backend = 'gnome_libsecret';
  failDecrypt = false;
  isEncryptionAvailable() { return this.available; }
  encryptString(plain: string) { return Buffer.from(`enc:${Buffer.from(plain).reverse().toString('hex')}`); }
  decryptString(b: Buffer) {
    if (this.failDecrypt) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const s = b.toString();
    return Buffer.from(s.slice(4), 'hex').reverse().toString();
  }
  getSelectedStorageBackend() { return this.backend; }
}

const KEY = 'fw_live_ABCDEFGH12345678wxyz';
let dir: string;
let safe: FakeSafeStorage;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'earshot-keys-')); safe = new FakeSafeStorage(); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const open = (platform: NodeJS.Platform = 'linux') => new KeyStore({ dir, safeStorage: safe, platform });

describe('KeyStore', () => {
  it('stores a key encrypted and tells the UI only that it is set and its last four characters', () => {
    const store = open();
    const r = store.set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    expect(r.ok).toBe(true);
    const info = store.info();
    expect(info.keys.fireworks).toEqual({ set: true, hint: 'wxyz', storage: 'disk' });
    expect(info.keys.deepgram).toEqual({ set: false, hint: '', storage: 'none' });
    // Nothing the renderer can get holds the key.
    expect(JSON.stringify(info)).not.toContain(KEY.slice(0, 8));
    expect(JSON.stringify(r)).not.toContain(KEY.slice(0, 8));
    const file = readFileSync(store.path, 'utf8');
    expect(file).not.toContain(KEY);
    expect(file).not.toContain(KEY.slice(0, 8));
    // Main reads it back after a restart.
    expect(open().keyFor('fireworks')).toBe(KEY);
  });

  it('gives no hint for short keys', () => {
    const store = open();
    store.set({ provider: 'openai', key: 'abc12345', storage: 'disk' });
    expect(store.info().keys.openai).toEqual({ set: true, hint: '', storage: 'disk' });
  });

  it('reports basic_text and asks for consent before storing', () => {
    safe.backend = 'basic_text';
    const store = open();
    expect(store.info().backend).toBe('basic_text');
    expect(store.info().backendLabel).toMatch(/basic_text/);
    const refused = store.set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    expect(refused).toMatchObject({ ok: false, reason: 'needs-consent', message: expect.stringMatching(/anyone who can read your files/) });
    expect(store.keyFor('fireworks')).toBeUndefined();
    expect(store.set({ provider: 'fireworks', key: KEY, storage: 'disk', acceptBasicText: true }).ok).toBe(true);
    expect(open().keyFor('fireworks')).toBe(KEY);
  });

  it('keeps a session-only key in memory, never on disk', () => {
    safe.backend = 'basic_text';
    const store = open();
    expect(store.set({ provider: 'deepgram', key: KEY, storage: 'session' }).ok).toBe(true);
    expect(store.keyFor('deepgram')).toBe(KEY);
    expect(store.info().keys.deepgram.storage).toBe('session');
    expect(open().keyFor('deepgram')).toBeUndefined();
  });

  it('refuses disk storage when encryption is unavailable', () => {
    safe.available = false;
    const store = open('win32');
    expect(store.info().backend).toBe('unavailable');
    expect(store.set({ provider: 'fireworks', key: KEY, storage: 'disk' })).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(store.set({ provider: 'fireworks', key: KEY, storage: 'session' }).ok).toBe(true);
  });

  it('treats an unknown Linux backend (before ready) as unavailable and macOS/Windows as the OS store', () => {
    safe.backend = 'unknown';
    expect(open().backend()).toBe('unavailable');
    expect(open('darwin').backendLabel()).toBe('macOS Keychain');
    expect(open('win32').backendLabel()).toBe('Windows DPAPI');
    safe.backend = 'kwallet5';
    expect(open().backendLabel()).toBe('KWallet 5');
  });

  it('clears a key from disk and memory', () => {
    const store = open();
    store.set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    const seen: boolean[] = [];
    store.onChange((i) => seen.push(i.keys.fireworks.set));
    expect(store.clear('fireworks').keys.fireworks.set).toBe(false);
    expect(seen).toEqual([false]);
    expect(open().keyFor('fireworks')).toBeUndefined();
  });

  it('drops a key that no longer decrypts and says so', () => {
    open().set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    safe.failDecrypt = true;
    const store = open();
    expect(store.keyFor('fireworks')).toBeUndefined();
    expect(store.takeProblems()).toEqual([expect.stringMatching(/could not be decrypted/)]);
    expect(store.takeProblems()).toEqual([]);
  });

  it('survives a damaged key file', () => {
    writeFileSync(join(dir, 'keys.json'), 'garbage');
    const store = open();
    expect(store.info().keys.fireworks.set).toBe(false);
    expect(store.takeProblems()).toEqual([expect.stringMatching(/could not be read/)]);
  });
});

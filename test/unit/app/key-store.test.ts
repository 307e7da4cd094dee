import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, type SafeStoragePort } from '../../../main/app/key-store.js';

/**
 * Reversible "encryption" with a marker, so tests can see the key is not stored in clear.
 * Only the asynchronous calls exist, as in Electron 46: a deprecated synchronous call
 * (encryptString, decryptString, isEncryptionAvailable) fails the test.
 */
class FakeSafeStorage implements SafeStoragePort {
  available = true;
  backend = 'gnome_libsecret';
  failDecrypt = false;
  /** The keyring rotated its key: blobs decrypt but ask to be re-encrypted (marker 'enc2:'). */
  rotated = false;
  async isAsyncEncryptionAvailable() { return this.available; }
  async encryptStringAsync(plain: string) { return Buffer.from(`${this.rotated ? 'enc2' : 'enc1'}:${Buffer.from(plain).reverse().toString('hex')}`); }
  async decryptStringAsync(b: Buffer) {
    if (this.failDecrypt) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const s = b.toString();
    const result = Buffer.from(s.slice(5), 'hex').reverse().toString();
    return { result, shouldReEncrypt: this.rotated && s.startsWith('enc1:') };
  }
  getSelectedStorageBackend() { return this.backend; }
}

const KEY = 'fw_live_ABCDEFGH12345678wxyz';
let dir: string;
let safe: FakeSafeStorage;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'earshot-keys-')); safe = new FakeSafeStorage(); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const open = async (platform: NodeJS.Platform = 'linux') => {
  const store = new KeyStore({ dir, safeStorage: safe, platform });
  await store.load();
  return store;
};

describe('KeyStore', () => {
  it('stores a key encrypted and tells the UI only that it is set and its last four characters', async () => {
    const store = await open();
    const r = await store.set({ provider: 'fireworks', key: KEY, storage: 'disk' });
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
    expect((await open()).keyFor('fireworks')).toBe(KEY);
  });

  it('gives no hint for short keys', async () => {
    const store = await open();
    await store.set({ provider: 'openai', key: 'abc12345', storage: 'disk' });
    expect(store.info().keys.openai).toEqual({ set: true, hint: '', storage: 'disk' });
  });

  it('reports basic_text and asks for consent before storing', async () => {
    safe.backend = 'basic_text';
    const store = await open();
    expect(store.info().backend).toBe('basic_text');
    expect(store.info().backendLabel).toMatch(/basic_text/);
    const refused = await store.set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    expect(refused).toMatchObject({ ok: false, reason: 'needs-consent', message: expect.stringMatching(/anyone who can read your files/) });
    expect(store.keyFor('fireworks')).toBeUndefined();
    expect((await store.set({ provider: 'fireworks', key: KEY, storage: 'disk', acceptBasicText: true })).ok).toBe(true);
    expect((await open()).keyFor('fireworks')).toBe(KEY);
  });

  it('keeps a session-only key in memory, never on disk', async () => {
    safe.backend = 'basic_text';
    const store = await open();
    expect((await store.set({ provider: 'deepgram', key: KEY, storage: 'session' })).ok).toBe(true);
    expect(store.keyFor('deepgram')).toBe(KEY);
    expect(store.info().keys.deepgram.storage).toBe('session');
    expect((await open()).keyFor('deepgram')).toBeUndefined();
  });

  it('refuses disk storage when encryption is unavailable', async () => {
    safe.available = false;
    const store = await open('win32');
    expect(store.info().backend).toBe('unavailable');
    expect(await store.set({ provider: 'fireworks', key: KEY, storage: 'disk' })).toMatchObject({ ok: false, reason: 'unavailable' });
    expect((await store.set({ provider: 'fireworks', key: KEY, storage: 'session' })).ok).toBe(true);
  });

  it('treats an unknown Linux backend (before ready) as unavailable and macOS/Windows as the OS store', async () => {
    safe.backend = 'unknown';
    expect((await open()).backend()).toBe('unavailable');
    expect((await open('darwin')).backendLabel()).toBe('macOS Keychain');
    expect((await open('win32')).backendLabel()).toBe('Windows DPAPI');
    safe.backend = 'kwallet5';
    expect((await open()).backendLabel()).toBe('KWallet 5');
  });

  it('clears a key from disk and memory', async () => {
    const store = await open();
    await store.set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    const seen: boolean[] = [];
    store.onChange((i) => seen.push(i.keys.fireworks.set));
    expect(store.clear('fireworks').keys.fireworks.set).toBe(false);
    expect(seen).toEqual([false]);
    expect((await open()).keyFor('fireworks')).toBeUndefined();
  });

  it('drops a key that no longer decrypts and says so', async () => {
    await (await open()).set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    safe.failDecrypt = true;
    const store = await open();
    expect(store.keyFor('fireworks')).toBeUndefined();
    expect(store.takeProblems()).toEqual([expect.stringMatching(/could not be decrypted/)]);
    expect(store.takeProblems()).toEqual([]);
  });

  it('re-encrypts a blob when the keyring asks for it, and keeps the key', async () => {
    await (await open()).set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    safe.rotated = true;
    expect((await open()).keyFor('fireworks')).toBe(KEY);
    const file = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { keys: { fireworks: string } };
    expect(Buffer.from(file.keys.fireworks, 'base64').toString()).toMatch(/^enc2:/);
    expect((await open()).keyFor('fireworks')).toBe(KEY);
  });

  it('keeps stored keys on disk while the keyring is unavailable', async () => {
    await (await open()).set({ provider: 'fireworks', key: KEY, storage: 'disk' });
    safe.available = false;
    const locked = await open();
    expect(locked.keyFor('fireworks')).toBeUndefined();
    safe.available = true;
    expect((await open()).keyFor('fireworks')).toBe(KEY);
  });

  it('survives a damaged key file', async () => {
    writeFileSync(join(dir, 'keys.json'), 'garbage');
    const store = await open();
    expect(store.info().keys.fireworks.set).toBe(false);
    expect(store.takeProblems()).toEqual([expect.stringMatching(/could not be read/)]);
  });
});

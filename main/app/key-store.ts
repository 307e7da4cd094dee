/**
 * API keys, one per provider, write-only from the renderer's point of view: the settings
 * window can set or clear a key and learn its last four characters, never read it. Keys
 * on disk are encrypted with Electron's asynchronous safeStorage calls (the synchronous ones
 * are deprecated in Electron 45 and go away in 46:
 * https://www.electronjs.org/docs/latest/api/safe-storage). The blobs are decrypted once,
 * at load(), and kept in main's memory, so starting captions never waits on the keyring.
 * When the only backend is `basic_text` (Linux without a keyring: a hard-coded password),
 * storing needs the person's explicit consent; they can also keep the key for this session
 * only.
 */
import { join } from 'node:path';
import { PROVIDER_IDS, type ProviderId } from '../../shared/providers.js';
import type { KeyState, KeyStoreInfo, SecretBackend, SetKeyRequest, SetKeyResult } from '../../shared/ipc-contract.js';
import type { Unsubscribe } from '../util/clock.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

/** The part of Electron's safeStorage this needs (all asynchronous but the backend name). */
export interface SafeStoragePort {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: 'basic_text', 'gnome_libsecret', 'kwallet5', ..., 'unknown' before ready. */
  getSelectedStorageBackend?(): string;
}

export interface KeyStoreOptions {
  dir: string;
  safeStorage: SafeStoragePort;
  platform: NodeJS.Platform;
}

const BACKEND_LABELS: Record<string, string> = {
  gnome_libsecret: 'GNOME keyring (libsecret)',
  kwallet: 'KWallet', kwallet5: 'KWallet 5', kwallet6: 'KWallet 6',
};

export const BASIC_TEXT_WARNING =
  'No system keyring is available, so Electron can only scramble the key with a fixed password: anyone who can read your files can read it. Store it anyway, keep it for this session only, or install a keyring (GNOME Keyring or KWallet) and restart.';

interface KeyFile { version: 1; keys: Partial<Record<ProviderId, string>> }

export class KeyStore {
  readonly path: string;
  private readonly port: SafeStoragePort;
  private readonly platform: NodeJS.Platform;
  private readonly session = new Map<ProviderId, string>();
  private readonly listeners = new Set<(info: KeyStoreInfo) => void>();
  /** Encrypted blobs as stored. */
  private disk: Partial<Record<ProviderId, string>> = {};
  /** The same keys decrypted by load(); main process only. */
  private readonly plain = new Map<ProviderId, string>();
  private available = false;
  private readonly problems: string[] = [];

  constructor(options: KeyStoreOptions) {
    this.path = join(options.dir, 'keys.json');
    this.port = options.safeStorage;
    this.platform = options.platform;
    const read = readJsonFile(this.path);
    if (read.kind === 'ok' && typeof read.value === 'object' && read.value !== null) {
      const keys = (read.value as Partial<KeyFile>).keys ?? {};
      for (const p of PROVIDER_IDS) if (typeof keys[p] === 'string') this.disk[p] = keys[p];
    } else if (read.kind === 'corrupt') {
      this.problems.push(`The stored API keys could not be read (${read.detail}); enter them again.`);
    }
  }

  /** Must run after app 'ready' (the keyring answers only then) and before keys are used. */
  async load(): Promise<void> {
    this.available = await this.port.isAsyncEncryptionAvailable().catch(() => false);
    let dirty = false;
    for (const p of PROVIDER_IDS) {
      const blob = this.disk[p];
      if (blob === undefined) continue;
      if (!this.available) continue; // kept on disk: the keyring may be back next start
      try {
        const { result, shouldReEncrypt } = await this.port.decryptStringAsync(Buffer.from(blob, 'base64'));
        this.plain.set(p, result);
        if (shouldReEncrypt) {
          // The keyring rotated its key; store the blob under the new one.
          this.disk[p] = (await this.port.encryptStringAsync(result)).toString('base64');
          dirty = true;
        }
      } catch {
        // The keyring changed (new login, other machine): the blob is useless now.
        delete this.disk[p];
        dirty = true;
        this.problems.push(`The stored key for ${p} could not be decrypted (the keyring changed?); enter it again.`);
      }
    }
    if (dirty) this.write();
  }

  backend(): SecretBackend {
    if (!this.available) return 'unavailable';
    if (this.platform === 'linux') {
      const name = this.port.getSelectedStorageBackend?.() ?? 'unknown';
      if (name === 'basic_text') return 'basic_text';
      if (name === 'unknown') return 'unavailable';
    }
    return 'os';
  }

  backendLabel(): string {
    switch (this.backend()) {
      case 'basic_text': return 'basic_text (not protected by a keyring)';
      case 'unavailable': return 'none (encryption is not available; keys are kept for this session only)';
      case 'os':
        if (this.platform === 'darwin') return 'macOS Keychain';
        if (this.platform === 'win32') return 'Windows DPAPI';
        return BACKEND_LABELS[this.port.getSelectedStorageBackend?.() ?? ''] ?? 'system keyring';
    }
  }

  info(): KeyStoreInfo {
    const keys = {} as Record<ProviderId, KeyState>;
    for (const p of PROVIDER_IDS) keys[p] = this.stateOf(p);
    return { backend: this.backend(), backendLabel: this.backendLabel(), keys };
  }

  private stateOf(p: ProviderId): KeyState {
    const s = this.session.get(p);
    if (s !== undefined) return { set: true, hint: hintOf(s), storage: 'session' };
    const k = this.plain.get(p);
    return k === undefined ? { set: false, hint: '', storage: 'none' } : { set: true, hint: hintOf(k), storage: 'disk' };
  }

  async set(req: SetKeyRequest): Promise<SetKeyResult> {
    const key = req.key.trim();
    if (key === '') return { ok: false, reason: 'invalid', message: 'The key is empty.' };
    if (req.storage === 'session') {
      this.session.set(req.provider, key);
      this.forget(req.provider);
      return this.changed();
    }
    const backend = this.backend();
    if (backend === 'unavailable') {
      return { ok: false, reason: 'unavailable', message: 'Keys cannot be encrypted on this system. Keep the key for this session only, or set the provider\'s environment variable.' };
    }
    if (backend === 'basic_text' && !req.acceptBasicText) return { ok: false, reason: 'needs-consent', message: BASIC_TEXT_WARNING };
    let blob: Buffer;
    try {
      blob = await this.port.encryptStringAsync(key);
    } catch (err) {
      return { ok: false, reason: 'unavailable', message: `The system keyring refused to encrypt the key (${(err as Error).message}). Keep it for this session only, or set the provider's environment variable.` };
    }
    this.disk[req.provider] = blob.toString('base64');
    this.plain.set(req.provider, key);
    this.session.delete(req.provider);
    this.write();
    return this.changed();
  }

  clear(provider: ProviderId): KeyStoreInfo {
    this.session.delete(provider);
    this.forget(provider);
    this.changed();
    return this.info();
  }

  /** Main process only: the key for the pipeline. Never send this to a renderer. */
  keyFor(provider: ProviderId): string | undefined {
    return this.session.get(provider) ?? this.plain.get(provider);
  }

  /** Messages for the person about keys that could not be read. */
  takeProblems(): string[] {
    return this.problems.splice(0);
  }

  onChange(listener: (info: KeyStoreInfo) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private forget(p: ProviderId): void {
    this.plain.delete(p);
    if (this.disk[p] === undefined) return;
    delete this.disk[p];
    this.write();
  }

  private write(): void {
    const file: KeyFile = { version: 1, keys: this.disk };
    writeJsonFileAtomic(this.path, file, 0o600);
  }

  private changed(): SetKeyResult & { ok: true } {
    const info = this.info();
    for (const l of [...this.listeners]) l(info);
    return { ok: true, keys: info };
  }
}

function hintOf(key: string): string {
  return key.length <= 8 ? '' : key.slice(-4);
}

/**
 * The settings window's state, as runes: a draft of the settings checked on every change
 * with the same parseSettings main uses (so each invalid field explains itself at once),
 * saving (refused while anything is invalid), API keys (write-only), devices, the level
 * test and the live style preview on the overlay.
 */
import { errorInfo, type ErrorInfo } from '../../shared/errors.js';
import type {
  DeviceInfo, KeyStoreInfo, SettingsBridge, SettingsView,
} from '../../shared/ipc-contract.js';
import { languagesFor, type LanguageOption } from '../../shared/languages.js';
import type { StylePresetId } from '../../shared/overlay-style.js';
import { PROVIDERS, type ProviderId } from '../../shared/providers.js';
import {
  applyPreset, DEFAULT_SETTINGS, errorsByPath, parseSettings, type Settings, type SettingsError,
} from '../../shared/settings.js';
import type { AudioLevel, ConnectionStatus } from '../../shared/status.js';
import { isConnectionStatus } from '../lib/payload-guards.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const PREVIEW_DELAY_MS = 120;

export type Message = { kind: 'ok' | 'error' | 'warning'; text: string } | null;

export class SettingsState {
  draft = $state<Settings>(clone(DEFAULT_SETTINGS));
  saved = $state.raw<Settings>(DEFAULT_SETTINGS);
  loaded = $state(false);
  loadErrors = $state.raw<SettingsError[]>([]);
  /** Errors main returned for the last save (normally the same as the live ones). */
  serverErrors = $state.raw<SettingsError[]>([]);
  saveMessage = $state.raw<Message>(null);
  keys = $state.raw<KeyStoreInfo | null>(null);
  keyMessage = $state.raw<Message>(null);
  /** The basic_text warning is showing and waits for the person's choice. */
  keyNeedsConsent = $state(false);
  platform = $state<SettingsView['platform']>('other');
  systemAudio = $state<SettingsView['systemAudio']>('monitor');
  overlayUrl = $state<string | null>(null);
  status = $state.raw<ConnectionStatus>({ kind: 'idle' });
  /** The latest warning (a device that went quiet, a taken shortcut), kept until the next. */
  notice = $state.raw<ErrorInfo | null>(null);
  devices = $state.raw<DeviceInfo[]>([]);
  deviceError = $state.raw<ErrorInfo | null>(null);
  testing = $state(false);
  level = $state.raw<AudioLevel | null>(null);
  levelResult = $state.raw<Message>(null);
  /** Bumped when a save is refused, so the view can move focus to the first bad field. */
  refusals = $state(0);

  readonly errors = $derived.by(() => {
    const live = parseSettings($state.snapshot(this.draft)).errors;
    return { ...errorsByPath(this.serverErrors), ...errorsByPath(live) };
  });
  readonly errorCount = $derived(Object.keys(this.errors).length);
  readonly dirty = $derived(JSON.stringify(this.draft) !== JSON.stringify(this.saved));
  readonly languages = $derived<LanguageOption[]>(languagesFor(this.draft.provider, this.draft.model));
  readonly provider = $derived(PROVIDERS[this.draft.provider]);

  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly bridge: SettingsBridge | null) {}

  async load(): Promise<void> {
    if (!this.bridge) {
      this.saveMessage = { kind: 'error', text: 'This page only works inside the Earshot app.' };
      return;
    }
    const view = await this.bridge.get();
    this.apply(view);
    this.offs.push(
      this.bridge.on('settings:changed', (s) => {
        // A tray toggle changed the saved settings: keep the person's unsaved edits.
        const untouched = !this.dirty;
        this.saved = s;
        if (untouched) this.draft = clone(s);
      }),
      this.bridge.on('keys:changed', (k) => { this.keys = k; }),
      this.bridge.on('audio:test-level', (l) => { this.level = l; }),
      this.bridge.on('status', (s) => { if (isConnectionStatus(s)) this.status = s; }),
      this.bridge.on('notice', (n) => { if (typeof n?.message === 'string') this.notice = n; }),
    );
    await this.refreshDevices();
  }

  private apply(view: SettingsView): void {
    this.saved = view.settings;
    this.draft = clone(view.settings);
    this.loadErrors = view.loadErrors;
    this.keys = view.keys;
    this.platform = view.platform;
    this.systemAudio = view.systemAudio;
    this.overlayUrl = view.overlayUrl;
    if (isConnectionStatus(view.status)) this.status = view.status;
    this.loaded = true;
  }

  /** Returns true when saved. Nothing is sent to main while any field is invalid. */
  async save(): Promise<boolean> {
    this.serverErrors = [];
    const { errors } = parseSettings($state.snapshot(this.draft));
    if (errors.length > 0) {
      this.saveMessage = { kind: 'error', text: `Not saved: ${errors.length === 1 ? 'one setting needs' : `${errors.length} settings need`} fixing (marked below).` };
      this.refusals++;
      return false;
    }
    if (!this.bridge) return false;
    const result = await this.bridge.save($state.snapshot(this.draft) as Settings);
    if (!result.ok) {
      this.serverErrors = result.errors;
      this.saveMessage = { kind: 'error', text: 'Not saved: some settings need fixing (marked below).' };
      this.refusals++;
      return false;
    }
    this.saved = result.settings;
    this.draft = clone(result.settings);
    this.saveMessage = { kind: 'ok', text: 'Saved.' };
    return true;
  }

  revert(): void {
    this.draft = clone(this.saved);
    this.serverErrors = [];
    this.saveMessage = null;
    void this.bridge?.endPreview();
  }

  setProvider(id: ProviderId): void {
    const info = PROVIDERS[id];
    this.draft.provider = id;
    if (!info.models.includes(this.draft.model)) this.draft.model = info.defaultModel;
    const fm = info.frameMs;
    if (this.draft.frameMs < fm.min || this.draft.frameMs > fm.max) this.draft.frameMs = fm.default;
    this.fixLanguage();
  }

  setModel(model: string): void {
    this.draft.model = model;
    this.fixLanguage();
  }

  private fixLanguage(): void {
    const langs = languagesFor(this.draft.provider, this.draft.model);
    const detects = PROVIDERS[this.draft.provider].detectsLanguage;
    // A service that cannot detect needs a language: keep the one chosen if it has it, else English.
    const fallback = langs.length === 1 ? langs[0]!.code : detects ? '' : (langs.find((l) => l.code === 'en')?.code ?? langs[0]?.code ?? '');
    if (this.draft.language === '' ? !detects : !langs.some((l) => l.code === this.draft.language)) this.draft.language = fallback;
  }

  choosePreset(preset: StylePresetId | 'custom'): void {
    this.draft.preset = preset;
    if (preset !== 'custom') this.draft.style = applyPreset(this.draft.style, preset);
    this.stylePreview();
  }

  /** Any edit of a colour or effect makes the look a custom one. */
  styleEdited(field: string): void {
    if (['textColor', 'backgroundColor', 'backgroundOpacity', 'effect', 'partialColor', 'micColor', 'systemColor'].includes(field)) this.draft.preset = 'custom';
    this.stylePreview();
  }

  /** Sends the draft style to the overlay while it is valid (debounced; nothing is saved). */
  stylePreview(): void {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      const style = $state.snapshot(this.draft.style);
      const { errors } = parseSettings({ style });
      if (errors.length === 0) void this.bridge?.previewStyle(style);
    }, PREVIEW_DELAY_MS);
  }

  async setKey(key: string, storage: 'disk' | 'session', acceptBasicText = false): Promise<boolean> {
    if (!this.bridge) return false;
    const trimmed = key.trim();
    if (!trimmed) {
      this.keyMessage = { kind: 'error', text: 'Paste the key first.' };
      return false;
    }
    const r = await this.bridge.setKey({ provider: this.draft.provider, key: trimmed, storage, acceptBasicText });
    if (r.ok) {
      this.keys = r.keys;
      this.keyNeedsConsent = false;
      this.keyMessage = { kind: 'ok', text: storage === 'session' ? 'Key kept until Earshot quits (not saved to disk).' : 'Key saved, encrypted.' };
      return true;
    }
    this.keyNeedsConsent = r.reason === 'needs-consent';
    this.keyMessage = { kind: r.reason === 'needs-consent' ? 'warning' : 'error', text: r.message };
    return false;
  }

  async clearKey(): Promise<void> {
    if (!this.bridge) return;
    this.keys = await this.bridge.clearKey(this.draft.provider);
    this.keyMessage = { kind: 'ok', text: 'Key removed.' };
  }

  async refreshDevices(): Promise<void> {
    if (!this.bridge) return;
    const list = await this.bridge.listDevices();
    this.devices = list.devices;
    this.deviceError = list.error ?? null;
  }

  async testLevel(): Promise<void> {
    if (!this.bridge || this.testing) return;
    this.testing = true;
    this.level = null;
    this.levelResult = null;
    try {
      const r = await this.bridge.testLevel($state.snapshot(this.draft.source));
      if (r.ok) {
        this.levelResult = r.peakDb <= -60
          ? { kind: 'warning', text: `Almost silent (peak ${r.peakDb.toFixed(0)} dBFS). Speak or play something, or pick another source.` }
          : { kind: 'ok', text: `Audio is coming in (peak ${r.peakDb.toFixed(0)} dBFS).` };
      } else {
        this.levelResult = { kind: 'error', text: `${r.error.message}${r.error.detail ? ` (${r.error.detail})` : ''}` };
      }
    } catch (err) {
      const info = errorInfo('INTERNAL', err instanceof Error ? err.message : String(err));
      this.levelResult = { kind: 'error', text: info.detail ?? info.message };
    } finally {
      this.testing = false;
    }
  }

  dispose(): void {
    clearTimeout(this.previewTimer);
    for (const off of this.offs.splice(0)) off();
    void this.bridge?.endPreview();
  }
}

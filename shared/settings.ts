/**
 * User settings: type, defaults and (to come) parseSettings(unknown) with errors a person
 * can act on. The API key is NOT a setting: it lives in main only (safeStorage).
 */
import type { ProviderId } from './providers.js';
import { DEFAULT_STYLE, type OverlayStyle, type StylePresetId } from './overlay-style.js';

/** 'mic' = default input, 'system' = default output's monitor, 'device:<id>' = a listed device. */
export type SourceSetting = 'mic' | 'system' | `device:${string}`;

export interface HotkeySettings {
  toggleOverlay: string;
  pause: string;
  clickThrough: string;
}

export interface Settings {
  provider: ProviderId;
  model: string;
  /** '' = the provider's default endpoint. */
  endpoint: string;
  /** '' = provider default / auto-detect. */
  language: string;
  prompt: string;
  source: SourceSetting;
  frameMs: number;
  preset: StylePresetId | 'custom';
  style: OverlayStyle;
  clickThrough: boolean;
  hideFromScreenCapture: boolean;
  hotkeys: HotkeySettings;
  historyEnabled: boolean;
  overlayServer: { enabled: boolean; port: number; host: string };
}

export const DEFAULT_HOTKEYS: HotkeySettings = {
  toggleOverlay: 'CommandOrControl+Shift+H',
  pause: 'CommandOrControl+Shift+P',
  clickThrough: 'CommandOrControl+Shift+L',
};

export const DEFAULT_SETTINGS: Settings = {
  provider: 'fireworks',
  model: 'fireworks-asr-large',
  endpoint: '',
  language: 'en',
  prompt: '',
  source: 'mic',
  frameMs: 50,
  preset: 'classic',
  style: DEFAULT_STYLE,
  clickThrough: false,
  hideFromScreenCapture: false,
  hotkeys: DEFAULT_HOTKEYS,
  historyEnabled: false,
  overlayServer: { enabled: false, port: 7723, host: '127.0.0.1' },
};

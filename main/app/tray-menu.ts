/**
 * The tray / menu-bar menu as plain data, built from the app's state; tray.ts turns it into
 * an Electron Menu and routes each item's action to the controller.
 */
import { describeStatus, type ConnectionStatus } from '../../shared/status.js';
import type { AppState, DeviceInfo } from '../../shared/ipc-contract.js';
import { languageName } from '../../shared/languages.js';
import { MEETING_SOURCE, type HotkeySettings, type SourceSetting } from '../../shared/settings.js';

export type TrayAction =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'pause'; paused: boolean }
  | { type: 'source'; source: SourceSetting }
  | { type: 'language'; language: string }
  | { type: 'refresh-devices' }
  | { type: 'click-through'; on: boolean }
  | { type: 'overlay'; visible: boolean }
  | { type: 'history' }
  | { type: 'transcribe' }
  | { type: 'settings' }
  | { type: 'quit' };

export interface TrayItem {
  label?: string;
  type?: 'normal' | 'checkbox' | 'radio' | 'separator' | 'submenu';
  checked?: boolean;
  enabled?: boolean;
  /** Shown next to the item; the real global shortcut is registered separately. */
  accelerator?: string;
  action?: TrayAction;
  submenu?: TrayItem[];
}

export interface TrayModel {
  state: AppState;
  status: ConnectionStatus;
  source: SourceSetting;
  /** '' = detect automatically. */
  language: string;
  recentLanguages: readonly string[];
  /** Whether the chosen service can detect the language itself. */
  detectsLanguage: boolean;
  devices: readonly DeviceInfo[];
  systemAudio: 'monitor' | 'loopback' | 'unsupported';
  hotkeys: HotkeySettings;
}

const MAX_DEVICES = 30;

function sourceMenu(m: TrayModel): TrayItem[] {
  const radio = (label: string, source: SourceSetting, enabled = true): TrayItem =>
    ({ label, type: 'radio', checked: m.source === source, enabled, action: { type: 'source', source } });
  const items: TrayItem[] = [
    radio('Microphone (default input)', 'mic'),
    radio(m.systemAudio === 'unsupported' ? 'System audio (not available here)' : 'System audio', 'system', m.systemAudio !== 'unsupported'),
    // One source or both: the meeting choice sits with the two it combines.
    radio(m.systemAudio === 'unsupported' ? 'Microphone + system audio (not available here)' : 'Microphone + system audio (two connections)', MEETING_SOURCE, m.systemAudio !== 'unsupported'),
  ];
  const inputs = m.devices.filter((d) => d.kind === 'input').slice(0, MAX_DEVICES);
  const monitors = m.devices.filter((d) => d.kind === 'monitor').slice(0, MAX_DEVICES);
  if (inputs.length) items.push({ type: 'separator' }, ...inputs.map((d) => radio(d.name, `device:${d.id}`)));
  if (monitors.length) items.push({ type: 'separator' }, ...monitors.map((d) => radio(`${d.name} (output)`, `device:${d.id}`)));
  const selected = m.source.startsWith('device:') && !m.devices.some((d) => `device:${d.id}` === m.source);
  if (selected) items.push({ type: 'separator' }, radio(`${m.source.slice(7)} (not connected)`, m.source, false));
  items.push({ type: 'separator' }, { label: 'Refresh device list', action: { type: 'refresh-devices' } });
  return items;
}

/** Recent languages first, so a bilingual meeting is one click away; the full list is in Settings. */
function languageMenu(m: TrayModel): TrayItem[] {
  const radio = (label: string, language: string): TrayItem =>
    ({ label, type: 'radio', checked: m.language === language, action: { type: 'language', language } });
  const recent = [...new Set([...(m.language ? [m.language] : []), ...m.recentLanguages])];
  return [
    ...(m.detectsLanguage ? [radio('Detect automatically', '')] : []),
    ...(recent.length ? [{ type: 'separator' } as TrayItem] : []),
    ...recent.map((code) => radio(`${languageName(code)} (${code})`, code)),
    { type: 'separator' },
    { label: 'More languages…', action: { type: 'settings' } },
  ];
}

export function buildTrayMenu(m: TrayModel): TrayItem[] {
  const { state } = m;
  return [
    { label: trayTooltip(m.status), enabled: false },
    { type: 'separator' },
    state.running
      ? { label: 'Stop captions', action: { type: 'stop' } }
      : { label: 'Start captions', action: { type: 'start' } },
    {
      label: 'Pause', type: 'checkbox', checked: state.paused, enabled: state.running,
      accelerator: m.hotkeys.pause || undefined, action: { type: 'pause', paused: !state.paused },
    },
    { label: 'Audio source', type: 'submenu', submenu: sourceMenu(m) },
    { label: 'Language', type: 'submenu', submenu: languageMenu(m) },
    { type: 'separator' },
    {
      label: 'Show captions', type: 'checkbox', checked: state.overlayVisible,
      accelerator: m.hotkeys.toggleOverlay || undefined, action: { type: 'overlay', visible: !state.overlayVisible },
    },
    {
      label: 'Click-through (mouse passes through captions)', type: 'checkbox', checked: state.clickThrough,
      accelerator: m.hotkeys.clickThrough || undefined, action: { type: 'click-through', on: !state.clickThrough },
    },
    { type: 'separator' },
    { label: 'History…', action: { type: 'history' } },
    { label: 'Transcribe a recording…', action: { type: 'transcribe' } },
    { label: 'Settings…', action: { type: 'settings' } },
    { type: 'separator' },
    { label: 'Quit Earshot', action: { type: 'quit' } },
  ];
}

export function trayTooltip(status: ConnectionStatus): string {
  const text = `Earshot · ${describeStatus(status)}`;
  // Windows truncates tray tooltips at 127 characters.
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/**
 * The one place the settings window touches the preload bridge (`window.earshot`, exposed
 * only on app://earshot/settings.html). Components talk to SettingsState, never to this.
 */
import { BRIDGE_GLOBAL, type SettingsBridge } from '../../shared/ipc-contract.js';

const METHODS: (keyof SettingsBridge)[] = ['get', 'save', 'previewStyle', 'endPreview', 'setKey', 'clearKey', 'listDevices', 'testLevel', 'on'];

export function settingsBridge(): SettingsBridge | null {
  const b = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as Partial<SettingsBridge> | undefined;
  if (typeof b !== 'object' || b === null) return null;
  return METHODS.every((m) => typeof b[m] === 'function') ? (b as SettingsBridge) : null;
}

/**
 * Registers the global shortcuts from settings and reports, in words, the ones the system
 * refused (another program already owns them), instead of failing silently.
 */
import { HOTKEY_LABELS, type HotkeySettings } from '../../shared/settings.js';

export type HotkeyAction = keyof HotkeySettings;

export interface ShortcutPort {
  register(accelerator: string, callback: () => void): boolean;
  unregisterAll(): void;
}

/** Returns one message per shortcut that could not be registered. */
export function applyHotkeys(port: ShortcutPort, hotkeys: HotkeySettings, handlers: Record<HotkeyAction, () => void>): string[] {
  port.unregisterAll();
  const failures: string[] = [];
  for (const action of Object.keys(HOTKEY_LABELS) as HotkeyAction[]) {
    const accelerator = hotkeys[action];
    if (!accelerator) continue;
    let ok = false;
    try {
      ok = port.register(accelerator, handlers[action]);
    } catch {
      ok = false;
    }
    if (!ok) failures.push(`The shortcut ${accelerator} (${HOTKEY_LABELS[action]}) is taken by another program; choose another in settings.`);
  }
  return failures;
}

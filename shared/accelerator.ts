/**
 * Validates global-shortcut accelerators in Electron's syntax (docs/api/accelerator.md)
 * before they reach globalShortcut.register, which only returns false without saying why.
 */

const MODIFIERS = new Map<string, string>([
  ['command', 'Command'], ['cmd', 'Command'], ['control', 'Control'], ['ctrl', 'Control'],
  ['commandorcontrol', 'CommandOrControl'], ['cmdorctrl', 'CommandOrControl'],
  ['alt', 'Alt'], ['option', 'Alt'], ['altgr', 'AltGr'], ['shift', 'Shift'], ['super', 'Super'], ['meta', 'Super'],
]);

const NAMED_KEYS = [
  'Plus', 'Space', 'Tab', 'Capslock', 'Numlock', 'Scrolllock', 'Backspace', 'Delete', 'Insert',
  'Return', 'Enter', 'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Escape', 'Esc',
  'VolumeUp', 'VolumeDown', 'VolumeMute', 'MediaNextTrack', 'MediaPreviousTrack', 'MediaStop',
  'MediaPlayPause', 'PrintScreen', 'numdec', 'numadd', 'numsub', 'nummult', 'numdiv',
];
const NAMED = new Map(NAMED_KEYS.map((k) => [k.toLowerCase(), k]));
const PUNCTUATION = new Set(')!@#$%^&*(:;+=<,_->.?/~`{]}[|\\\'"'.split(''));

/** Keys that are fine as a global shortcut on their own (they do nothing while typing). */
const STANDALONE = /^(F([1-9]|1[0-9]|2[0-4])|Volume\w+|Media\w+|PrintScreen)$/;

export type AcceleratorCheck = { ok: true; normalized: string } | { ok: false; message: string };

function keyName(token: string): string | null {
  if (/^[a-z0-9]$/i.test(token)) return token.toUpperCase();
  if (/^f([1-9]|1[0-9]|2[0-4])$/i.test(token)) return token.toUpperCase();
  if (/^num[0-9]$/i.test(token)) return token.toLowerCase();
  if (token.length === 1 && PUNCTUATION.has(token)) return token;
  return NAMED.get(token.toLowerCase()) ?? null;
}

/** '' means "no shortcut" and is valid. */
export function checkAccelerator(value: string): AcceleratorCheck {
  if (value === '') return { ok: true, normalized: '' };
  if (value.length > 100) return { ok: false, message: 'A shortcut is at most 100 characters.' };
  // "Ctrl++" is written "Ctrl+Plus" in Electron; a trailing or doubled "+" is a typo.
  const tokens = value.split('+').map((t) => t.trim());
  if (tokens.some((t) => t === '')) {
    return { ok: false, message: `"${value}" has an empty part. Join keys with "+", and write the plus key as "Plus" (e.g. CommandOrControl+Shift+Plus).` };
  }
  const mods: string[] = [];
  let key: string | null = null;
  for (const token of tokens) {
    const mod = MODIFIERS.get(token.toLowerCase());
    if (mod) {
      if (key !== null) return { ok: false, message: `"${value}": modifiers (${mod}) go before the key.` };
      if (mods.includes(mod)) return { ok: false, message: `"${value}" repeats the modifier ${mod}.` };
      mods.push(mod);
      continue;
    }
    const k = keyName(token);
    if (!k) return { ok: false, message: `"${token}" is not a key Electron knows. Use letters, digits, F1-F24, or names like Space, Up, PageDown.` };
    if (key !== null) return { ok: false, message: `"${value}" has two keys (${key} and ${k}); a shortcut is modifiers plus one key.` };
    key = k;
  }
  if (key === null) return { ok: false, message: `"${value}" has only modifiers; add a key, e.g. ${[...mods, 'H'].join('+')}.` };
  if (mods.length === 0 && !STANDALONE.test(key)) {
    return { ok: false, message: `"${value}" has no modifier, so it would take the ${key} key away from every program. Add one, e.g. CommandOrControl+Shift+${key}.` };
  }
  return { ok: true, normalized: [...mods, key].join('+') };
}

import { describe, expect, it } from 'vitest';
import { applyHotkeys } from '../../../main/app/hotkeys.js';
import { buildTrayMenu, trayTooltip, type TrayItem, type TrayModel } from '../../../main/app/tray-menu.js';
import { DEFAULT_HOTKEYS } from '../../../shared/settings.js';

const model = (over: Partial<TrayModel> = {}): TrayModel => ({
  state: { running: true, paused: false, overlayVisible: true, clickThrough: false },
  status: { kind: 'live', provider: 'Fireworks AI' },
  source: 'mic',
  language: 'en',
  recentLanguages: ['en', 'de'],
  detectsLanguage: true,
  devices: [
    { id: '3', name: 'USB Mic', hostApi: 'ALSA', kind: 'input', isDefault: false },
    { id: 'alsa_output.monitor', name: 'Speakers', hostApi: 'PulseAudio', kind: 'monitor', isDefault: true },
  ],
  systemAudio: 'monitor',
  hotkeys: DEFAULT_HOTKEYS,
  ...over,
});
const find = (items: TrayItem[], label: RegExp): TrayItem => {
  for (const i of items) {
    if (i.label && label.test(i.label)) return i;
    const sub = i.submenu && find(i.submenu, label);
    if (sub) return sub;
  }
  return undefined as never;
};

describe('tray menu', () => {
  it('switches language in one click: detect automatically where possible, recent languages first', () => {
    const lang = find(buildTrayMenu(model({ language: 'fr', recentLanguages: ['de', 'en'] })), /^Language$/).submenu!;
    const radios = lang.filter((i) => i.type === 'radio');
    expect(radios.map((i) => [i.label, i.checked])).toEqual([['Detect automatically', false], ['French (fr)', true], ['German (de)', false], ['English (en)', false]]);
    expect(radios[2]!.action).toEqual({ type: 'language', language: 'de' });
    expect(lang.at(-1)).toMatchObject({ label: 'More languages…', action: { type: 'settings' } });
    const together = find(buildTrayMenu(model({ detectsLanguage: false })), /^Language$/).submenu!;
    expect(together.some((i) => i.label === 'Detect automatically')).toBe(false);
  });

  it('has every control the issue lists', () => {
    const items = buildTrayMenu(model());
    for (const label of [/^Stop captions/, /^Pause/, /^Audio source/, /^Show captions/, /^Click-through/, /^History/, /^Settings/, /^Quit/]) {
      expect(find(items, label), String(label)).toBeDefined();
    }
    expect(items[0]).toMatchObject({ label: 'Earshot · live · streaming to Fireworks AI', enabled: false });
  });

  it('offers start when stopped and disables pause', () => {
    const items = buildTrayMenu(model({ state: { running: false, paused: false, overlayVisible: false, clickThrough: true } }));
    expect(find(items, /^Start captions/).action).toEqual({ type: 'start' });
    expect(find(items, /^Pause/).enabled).toBe(false);
    expect(find(items, /^Show captions/)).toMatchObject({ checked: false, action: { type: 'overlay', visible: true } });
    expect(find(items, /^Click-through/)).toMatchObject({ checked: true, action: { type: 'click-through', on: false }, accelerator: DEFAULT_HOTKEYS.clickThrough });
  });

  it('lists sources with the current one checked, and a missing device as not connected', () => {
    const items = buildTrayMenu(model({ source: 'device:3' }));
    expect(find(items, /^USB Mic/)).toMatchObject({ type: 'radio', checked: true, action: { type: 'source', source: 'device:3' } });
    expect(find(items, /^Speakers \(output\)/)).toMatchObject({ checked: false });
    const gone = buildTrayMenu(model({ source: 'device:9' }));
    expect(find(gone, /^9 \(not connected\)/)).toMatchObject({ checked: true, enabled: false });
    const win = buildTrayMenu(model({ systemAudio: 'unsupported', devices: [] }));
    expect(find(win, /^System audio/)).toMatchObject({ enabled: false });
    expect(find(win, /^Refresh device list/).action).toEqual({ type: 'refresh-devices' });
  });

  it('keeps the tooltip within Windows\' limit', () => {
    const long = trayTooltip({ kind: 'error', error: { code: 'NETWORK', message: 'x'.repeat(300), retryable: true } });
    expect(long.length).toBeLessThanOrEqual(120);
  });
});

describe('applyHotkeys', () => {
  it('registers each shortcut and names the ones another program holds', () => {
    const registered: string[] = [];
    let cleared = 0;
    const port = {
      register: (acc: string) => { registered.push(acc); return acc !== DEFAULT_HOTKEYS.pause; },
      unregisterAll: () => { cleared++; },
    };
    const noop = () => {};
    const failures = applyHotkeys(port, { ...DEFAULT_HOTKEYS, clickThrough: '' }, { toggleOverlay: noop, pause: noop, clickThrough: noop });
    expect(cleared).toBe(1);
    expect(registered).toEqual([DEFAULT_HOTKEYS.toggleOverlay, DEFAULT_HOTKEYS.pause]);
    expect(failures).toEqual([`The shortcut ${DEFAULT_HOTKEYS.pause} (Pause / resume) is taken by another program; choose another in settings.`]);
  });

  it('treats a throwing register as a failure', () => {
    const failures = applyHotkeys({ register: () => { throw new Error('bad'); }, unregisterAll: () => {} }, DEFAULT_HOTKEYS,
      { toggleOverlay: () => {}, pause: () => {}, clickThrough: () => {} });
    expect(failures).toHaveLength(3);
  });
});

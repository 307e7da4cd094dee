/**
 * The settings window in real Chromium with a fake bridge injected before the page loads:
 * invalid values explain themselves next to their field and block saving; valid ones are
 * sent to main; the API key field is write-only; presets preview live.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings.js';
import { useBridgeWindows, type BridgeWindow } from './helpers/bridge-window.js';
import { artifactPath } from './helpers/chromium.js';

const openWindow = useBridgeWindows();

interface FakeOptions { settings?: Settings; backend?: 'os' | 'basic_text' }

/** Installs `window.earshot` as the preload would, recording every call in `window.__calls`. */
function installFakeBridge(opts: { settings: Settings; backend: string }): void {
  const w = window as unknown as Record<string, unknown>;
  const calls: unknown[][] = [];
  w.__calls = calls;
  const providers = ['fireworks', 'together', 'assemblyai', 'openai', 'deepgram'];
  const keys: Record<string, { set: boolean; hint: string; storage: string }> = {};
  for (const p of providers) keys[p] = { set: false, hint: '', storage: 'none' };
  const info = () => ({ backend: opts.backend, backendLabel: opts.backend === 'basic_text' ? 'basic_text (not protected by a keyring)' : 'GNOME keyring (libsecret)', keys: JSON.parse(JSON.stringify(keys)) });
  w.earshot = {
    get: async () => ({ settings: opts.settings, loadErrors: [], keys: info(), platform: 'linux', systemAudio: 'monitor', overlayUrl: null }),
    save: async (s: unknown) => { calls.push(['save', s]); return { ok: true, settings: s }; },
    previewStyle: async (s: unknown) => { calls.push(['previewStyle', s]); },
    endPreview: async () => { calls.push(['endPreview']); },
    setKey: async (r: { provider: string; key: string; storage: string; acceptBasicText?: boolean }) => {
      calls.push(['setKey', r.provider, r.storage, !!r.acceptBasicText]);
      if (opts.backend === 'basic_text' && r.storage === 'disk' && !r.acceptBasicText) {
        return { ok: false, reason: 'needs-consent', message: 'No system keyring is available; anyone who can read your files can read it.' };
      }
      keys[r.provider] = { set: true, hint: r.key.length > 8 ? r.key.slice(-4) : '', storage: r.storage };
      return { ok: true, keys: info() };
    },
    clearKey: async (p: string) => { calls.push(['clearKey', p]); keys[p] = { set: false, hint: '', storage: 'none' }; return info(); },
    listDevices: async () => ({ devices: [
      { id: '3', name: 'USB Microphone', hostApi: 'ALSA', kind: 'input', isDefault: false },
      { id: 'alsa_output.pci.monitor', name: 'Built-in Audio', hostApi: 'PulseAudio', kind: 'monitor', isDefault: true },
    ] }),
    testLevel: async (src: string) => { calls.push(['testLevel', src]); return { ok: true, peakDb: -12, rmsDb: -24 }; },
    on: () => () => {},
  };
}

async function openSettings(opts: FakeOptions = {}): Promise<BridgeWindow> {
  const w = await openWindow('settings.html', { width: 900, height: 1000 }, installFakeBridge, { settings: opts.settings ?? DEFAULT_SETTINGS, backend: opts.backend ?? 'os' });
  await w.page.getByRole('heading', { name: 'Earshot settings' }).waitFor();
  await w.page.locator('#provider').waitFor();
  return w;
}

const errorFor = (page: Page, id: string) => page.locator(`[data-error-for="${id}"]`);

describe('settings window', () => {
  it('explains invalid values inline and refuses to save them', async () => {
    const { page, problems, calls } = await openSettings();
    await page.fill('#style-fontSize', '500');
    await page.fill('#endpoint', 'https://api.example.com/v1');
    await page.fill('#frameMs', '5');
    await page.fill('#hotkeys-pause', 'Ctrl+Ctrl+P');
    await page.fill('#style-textColor', 'yellow');
    await page.fill('#overlayServer-port', '80');

    await expect.poll(() => errorFor(page, 'style-fontSize').textContent()).toMatch(/Text size must be from 12 to 120 pixels; 500 is out of range/);
    expect(await errorFor(page, 'endpoint').textContent()).toMatch(/must start with wss:\/\//);
    expect(await errorFor(page, 'frameMs').textContent()).toMatch(/Frame size for Fireworks AI must be from 50 to 400 ms/);
    expect(await errorFor(page, 'hotkeys-pause').textContent()).toMatch(/Pause \/ resume: .*repeats the modifier Control/);
    expect(await errorFor(page, 'style-textColor').textContent()).toMatch(/#rrggbb/);
    expect(await errorFor(page, 'overlayServer-port').textContent()).toMatch(/1024 to 65535/);
    expect(await page.getAttribute('#style-fontSize', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#style-fontSize', 'aria-describedby')).toBe(null); // described by the Field's error id
    expect(await page.locator('#style-fontSize-error').count()).toBe(1);

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('save-message').textContent()).toMatch(/Not saved: 6 settings need fixing/);
    // Focus goes to the first field that says what is wrong.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('endpoint');
    await page.screenshot({ path: artifactPath('settings-invalid.png'), fullPage: true });
    expect((await calls()).filter((c) => c[0] === 'save')).toEqual([]);
    expect(problems.filter((p) => !/404 \(Not Found\)/.test(p))).toEqual([]);
    await page.close();
  });

  it('saves once the values are fixed, sending the corrected settings', async () => {
    const { page, calls } = await openSettings();
    await page.fill('#style-fontSize', '500');
    await expect.poll(() => errorFor(page, 'style-fontSize').count()).toBe(1);
    await page.fill('#style-fontSize', '44');
    await page.selectOption('#language', 'de');
    await page.fill('#hotkeys-pause', 'Alt+Shift+P');
    await expect.poll(() => errorFor(page, 'style-fontSize').count()).toBe(0);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('save-message').textContent()).toBe('Saved.');
    const saves = (await calls()).filter((c) => c[0] === 'save');
    expect(saves).toHaveLength(1);
    const saved = saves[0]![1] as Settings;
    expect(saved.style.fontSize).toBe(44);
    expect(saved.language).toBe('de');
    expect(saved.hotkeys.pause).toBe('Alt+Shift+P');
    await page.close();
  });

  it('lists every documented language and follows the provider and model', async () => {
    const { page } = await openSettings();
    expect(await page.locator('#language option').count()).toBe(1 + 102);
    await page.selectOption('#provider', 'assemblyai');
    await expect.poll(() => page.locator('#model').inputValue()).toBe('universal-streaming-english');
    expect(await page.locator('#language option').allTextContents()).toEqual(['Detect automatically', 'English (en)']);
    await page.selectOption('#model', 'universal-streaming-multilingual');
    await expect.poll(() => page.locator('#language option').count()).toBe(7);
    // Together cannot detect the language: no "Detect automatically", and English is chosen.
    await page.selectOption('#language', '');
    await page.selectOption('#provider', 'together');
    await expect.poll(() => page.locator('#language').inputValue()).toBe('en');
    expect(await page.locator('#language option').first().textContent()).toBe('English (en)');
    await page.close();
  });

  it('keeps the API key write-only and shows only its last four characters', async () => {
    const { page, calls } = await openSettings();
    expect(await page.getByTestId('key-state').textContent()).toMatch(/No key set/);
    expect(await page.getAttribute('#api-key', 'type')).toBe('password');
    await page.fill('#api-key', 'fw_secret_0123456789abcd');
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => page.getByTestId('key-state').textContent()).toMatch(/Key set \(…abcd\)\./);
    expect(await page.inputValue('#api-key')).toBe('');
    expect(await page.content()).not.toContain('fw_secret_0123');
    expect((await calls()).filter((c) => c[0] === 'setKey')).toEqual([['setKey', 'fireworks', 'disk', false]]);
    await page.close();
  });

  it('warns about basic_text and lets the person decide', async () => {
    const { page, calls } = await openSettings({ backend: 'basic_text' });
    await expect.poll(() => page.getByTestId('basic-text-warning').count()).toBe(1);
    await page.fill('#api-key', 'dg_secret_0123456789wxyz');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByRole('button', { name: 'Save anyway (not protected)' }).waitFor();
    await page.screenshot({ path: artifactPath('settings-basic-text.png') });
    await page.getByRole('button', { name: 'Keep for this session only' }).click();
    await expect.poll(() => page.getByTestId('key-state').textContent()).toMatch(/Key set \(…wxyz\), for this session only/);
    expect((await calls()).filter((c) => c[0] === 'setKey')).toEqual([['setKey', 'fireworks', 'disk', false], ['setKey', 'fireworks', 'session', false]]);
    await page.close();
  });

  it('previews a preset live in the window and on the overlay', async () => {
    const { page, calls } = await openSettings();
    await page.getByLabel('High contrast').check();
    await expect.poll(() => page.getByTestId('style-preview').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 255, 0)');
    await expect.poll(async () => (await calls()).filter((c) => c[0] === 'previewStyle').length).toBeGreaterThan(0);
    const preview = (await calls()).filter((c) => c[0] === 'previewStyle').at(-1)![1] as Settings['style'];
    expect(preview).toMatchObject({ textColor: '#ffff00', backgroundColor: '#000000', backgroundOpacity: 1 });
    await page.fill('#style-textColor', '#00ff00');
    await expect.poll(() => page.locator('input[name="preset"]:checked').inputValue()).toBe('custom');
    await page.screenshot({ path: artifactPath('settings-preset.png'), fullPage: true });
    await page.close();
  });

  it('lists devices and runs a level test on the chosen source', async () => {
    const { page, calls } = await openSettings();
    await expect.poll(() => page.locator('#source option').allTextContents()).toContain('USB Microphone');
    await page.selectOption('#source', 'device:3');
    await page.getByRole('button', { name: 'Test level' }).click();
    await expect.poll(() => page.locator('#level-result').textContent()).toMatch(/Audio is coming in \(peak -12 dBFS\)/);
    expect((await calls()).filter((c) => c[0] === 'testLevel')).toEqual([['testLevel', 'device:3']]);
    await page.close();
  });
});

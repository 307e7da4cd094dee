import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../main/app/settings-store.js';
import { DEFAULT_SETTINGS } from '../../../shared/settings.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'earshot-settings-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = () => new SettingsStore({ dir, stamp: () => 'STAMP' });

describe('SettingsStore', () => {
  it('starts from the defaults without a file and says nothing', () => {
    const store = open();
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.loadReport()).toEqual({ errors: [], message: null, backupPath: null });
  });

  it('saves valid settings atomically and loads them back', () => {
    const store = open();
    const seen: unknown[] = [];
    store.onChange((s) => seen.push(s.language));
    const r = store.save({ ...DEFAULT_SETTINGS, language: 'de', prompt: 'Bundestag' });
    expect(r.ok).toBe(true);
    expect(seen).toEqual(['de']);
    expect(readdirSync(dir)).toEqual(['settings.json']); // no temp file left behind
    expect(open().get()).toMatchObject({ language: 'de', prompt: 'Bundestag' });
  });

  it('refuses to save invalid settings and changes nothing', () => {
    const store = open();
    store.save({ ...DEFAULT_SETTINGS, language: 'fr' });
    const r = store.save({ ...DEFAULT_SETTINGS, frameMs: 5, style: { ...DEFAULT_SETTINGS.style, textColor: 'red' } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.path)).toEqual(['frameMs', 'style.textColor']);
    expect(store.get().language).toBe('fr');
    expect(JSON.parse(readFileSync(store.path, 'utf8')).language).toBe('fr');
  });

  it('keeps working on a damaged file: backs it up, uses the defaults, tells the person', () => {
    writeFileSync(join(dir, 'settings.json'), '{"provider": "fireworks", "lang');
    const store = open();
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    const report = store.loadReport();
    expect(report.backupPath).toBe(join(dir, 'settings.json.corrupt-STAMP'));
    expect(report.message).toMatch(/damaged.*kept as .*corrupt-STAMP.*default settings are in use/);
    expect(readFileSync(report.backupPath!, 'utf8')).toContain('"lang');
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
    expect(store.save(DEFAULT_SETTINGS).ok).toBe(true);
  });

  it('treats a file holding no object as damaged', () => {
    writeFileSync(join(dir, 'settings.json'), '[1, 2]');
    expect(open().loadReport().backupPath).not.toBeNull();
  });

  it('resets invalid fields only, and reports which', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, language: 'de', frameMs: 9999 }));
    const store = open();
    expect(store.get().language).toBe('de');
    expect(store.get().frameMs).toBe(DEFAULT_SETTINGS.frameMs);
    expect(store.loadReport().errors.map((e) => e.path)).toEqual(['frameMs']);
    expect(store.loadReport().message).toMatch(/frameMs/);
  });

  it('applies patches through the same validation', () => {
    const store = open();
    expect(store.update({ clickThrough: true }).ok).toBe(true);
    expect(store.get().clickThrough).toBe(true);
    expect(store.update({ frameMs: 1 }).ok).toBe(false);
  });
});

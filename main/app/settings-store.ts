/**
 * The settings file (settings.json in the app's data folder). Loading never fails: a
 * damaged file is moved aside and the defaults are used, invalid fields take their
 * defaults, and both are reported so the person is told. Saving refuses invalid settings
 * with one message per field and writes atomically.
 */
import { join } from 'node:path';
import { parseSettings, type Settings, type SettingsError } from '../../shared/settings.js';
import type { SaveResult } from '../../shared/ipc-contract.js';
import type { Unsubscribe } from '../util/clock.js';
import { backUpFile, readJsonFile, writeJsonFileAtomic } from './json-file.js';

export interface SettingsLoadReport {
  /** Field problems; those fields use their defaults. */
  errors: SettingsError[];
  /** For a notice to the person when the file had to be replaced; null when all was well. */
  message: string | null;
  /** Where a damaged file was moved. */
  backupPath: string | null;
}

export interface SettingsStoreOptions {
  dir: string;
  /** Wall-clock stamp for backup names; injected so tests are exact. */
  stamp?: () => string;
}

export class SettingsStore {
  readonly path: string;
  private settings: Settings;
  private report: SettingsLoadReport = { errors: [], message: null, backupPath: null };
  private readonly listeners = new Set<(s: Settings) => void>();
  private readonly stamp: () => string;

  constructor(options: SettingsStoreOptions) {
    this.path = join(options.dir, 'settings.json');
    this.stamp = options.stamp ?? (() => new Date().toISOString().replace(/[:.]/g, '-'));
    this.settings = this.load();
  }

  private load(): Settings {
    const read = readJsonFile(this.path);
    if (read.kind === 'missing') return parseSettings({}).settings;
    if (read.kind === 'corrupt') return this.replaceDamaged(read.detail);
    const { settings, errors } = parseSettings(read.value);
    if (errors.length === 1 && errors[0]!.path === '') return this.replaceDamaged(errors[0]!.message);
    this.report = {
      errors,
      message: errors.length ? `Some settings were not valid and were reset to their defaults: ${errors.map((e) => e.path).join(', ')}.` : null,
      backupPath: null,
    };
    return settings;
  }

  private replaceDamaged(detail: string): Settings {
    const backupPath = backUpFile(this.path, this.stamp());
    this.report = {
      errors: [],
      message: backupPath
        ? `The settings file was damaged (${detail}). It was kept as ${backupPath} and the default settings are in use.`
        : `The settings file was damaged (${detail}) and could not be moved aside; the default settings are in use.`,
      backupPath,
    };
    return parseSettings({}).settings;
  }

  get(): Settings {
    return this.settings;
  }

  loadReport(): SettingsLoadReport {
    return this.report;
  }

  /** Validates and writes; nothing changes when any field is invalid. */
  save(input: unknown): SaveResult {
    const { settings, errors } = parseSettings(input);
    if (errors.length > 0) return { ok: false, errors };
    writeJsonFileAtomic(this.path, settings);
    this.settings = settings;
    this.report = { errors: [], message: null, backupPath: null };
    for (const l of [...this.listeners]) l(settings);
    return { ok: true, settings };
  }

  /** Changes a few fields (tray toggles) through the same validation as a full save. */
  update(patch: Partial<Settings>): SaveResult {
    return this.save({ ...this.settings, ...patch });
  }

  onChange(listener: (s: Settings) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

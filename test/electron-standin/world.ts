/**
 * What the stand-in shares between its modules and with the test that drives it: where the
 * app keeps its files, the one Chromium every window is a page of, and the records a test
 * reads (windows, tray, dialogs, shortcuts, errors shown). One world per process: the app
 * under test is booted once per test file.
 */
import type { Browser, BrowserContext } from 'playwright-core';

export interface StandinConfig {
  /** app.getPath('userData'): a tmp dir per test. */
  userData: string;
  /** app.getPath('documents'). */
  documents: string;
  /** Starts the Chromium that shows every window (test/e2e/helpers/chromium.ts). */
  launchBrowser(): Promise<Browser>;
  /** Where main.js is (out/main/app/main.js). */
  mainScript: string;
}

export interface SaveDialogCall {
  options: Record<string, unknown>;
  /** The window it was modal to, if any. */
  parentTitle: string | null;
}

export class World {
  config: StandinConfig | null = null;
  browser: Browser | null = null;
  /** Every window's page lives in this context: Electron's default session is one profile. */
  context: BrowserContext | null = null;
  /** showSaveDialog answers, in order; the test queues them (a person picking a path). */
  readonly saveAnswers: ({ canceled: boolean; filePath?: string })[] = [];
  readonly saveDialogs: SaveDialogCall[] = [];
  /** showOpenDialog answers, in order (a person picking files). */
  readonly openAnswers: ({ canceled: boolean; filePaths?: string[] })[] = [];
  readonly openDialogs: SaveDialogCall[] = [];
  readonly errorBoxes: { title: string; content: string }[] = [];
  /** Anything the stand-in saw go wrong outside a call (a page that failed to load, a bridge error). */
  readonly problems: string[] = [];
  exitCode: number | null = null;
  /** The window last shown or focused: where a menu role without a window applies. */
  focusedWindow: unknown = null;

  requireConfig(): StandinConfig {
    if (!this.config) throw new Error('stand-in: configure() was not called before the app started');
    return this.config;
  }
}

const KEY = Symbol.for('earshot.electron-standin.world');
type WithWorld = typeof globalThis & { [KEY]?: World };

export const world: World = ((globalThis as WithWorld)[KEY] ??= new World());

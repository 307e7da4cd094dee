/**
 * System audio on Windows and macOS through Chromium's display-media loopback. The Chromium
 * feature flags come from electron-audio-loopback (they change between OS versions and the
 * package tracks them); instead of its unauthenticated enable/disable IPC handlers, main
 * answers display-media requests itself, and only for the hidden capture page. The page
 * posts float PCM to main (validated IPC), where LoopbackAudioSource feeds the pipeline.
 */
import { app, BrowserWindow, desktopCapturer, type Session } from 'electron';
import { buildFeatureFlags, featureSwitchKey, loopbackAudioTypes } from 'electron-audio-loopback/dist/config.js';
import type { CaptureChunk, CaptureStatus } from '../../shared/ipc-contract.js';
import { pageUrl } from '../../shared/ipc-contract.js';
import type { Clock } from '../util/clock.js';
import { pageOfUrl } from './ipc-validate.js';
import { LoopbackAudioSource } from './loopback-source.js';
import { secureWebPreferences } from './web-preferences.js';

export function loopbackSupported(platform: NodeJS.Platform = process.platform): boolean {
  // Linux keeps PortAudio/PulseAudio monitor sources, which work from the CLI as well.
  return platform === 'win32' || platform === 'darwin';
}

/** Must run before app 'ready'. */
export function enableLoopbackFeatures(): void {
  const existing = app.commandLine.getSwitchValue(featureSwitchKey);
  const flags = buildFeatureFlags({ otherEnabledFeatures: existing ? existing.split(',') : [] });
  if (app.commandLine.hasSwitch(featureSwitchKey)) app.commandLine.removeSwitch(featureSwitchKey);
  app.commandLine.appendSwitch(featureSwitchKey, flags);
}

export class LoopbackCapture {
  private window: BrowserWindow | null = null;
  private loaded: Promise<void> | null = null;
  private current: LoopbackAudioSource | null = null;

  constructor(private readonly options: { preload: string; devTools: boolean; session: Session; clock: Clock; log(m: string): void }) {
    options.session.setDisplayMediaRequestHandler((request, callback) => {
      const fromCapturePage = request.frame !== null && pageOfUrl(request.frame.url) === 'capture';
      if (!fromCapturePage || !request.audioRequested) {
        options.log(`display-media request refused (${request.securityOrigin})`);
        callback(null);
        return;
      }
      desktopCapturer.getSources({ types: ['screen'] }).then((sources) => {
        const screen = sources[0];
        if (!screen) { callback(null); return; }
        callback({ video: screen, audio: loopbackAudioTypes.loopback });
      }, (err: unknown) => {
        options.log(`desktopCapturer failed: ${String(err)}`);
        callback(null);
      });
    });
  }

  /** A fresh AudioSource for one pipeline run. */
  createSource(): LoopbackAudioSource {
    void this.current?.close();
    const source = new LoopbackAudioSource({
      clock: this.options.clock,
      control: {
        start: () => { void this.page().then((w) => w.webContents.send('capture:command', { action: 'start' })); },
        stop: () => { if (this.window && !this.window.isDestroyed()) this.window.webContents.send('capture:command', { action: 'stop' }); },
      },
    });
    this.current = source;
    return source;
  }

  onChunk(chunk: CaptureChunk): void {
    this.current?.onChunk(chunk);
  }

  onStatus(status: CaptureStatus): void {
    this.current?.onStatus(status);
  }

  dispose(): void {
    void this.current?.close();
    if (this.window && !this.window.isDestroyed()) this.window.destroy();
    this.window = null;
  }

  private async page(): Promise<BrowserWindow> {
    if (this.window && !this.window.isDestroyed() && this.loaded) {
      await this.loaded;
      return this.window;
    }
    const win = new BrowserWindow({
      show: false,
      width: 200,
      height: 100,
      skipTaskbar: true,
      // Hidden windows are throttled by default; audio blocks must keep flowing.
      webPreferences: secureWebPreferences(this.options.preload, { devTools: this.options.devTools, backgroundThrottling: false }),
    });
    this.window = win;
    this.loaded = win.loadURL(pageUrl('capture'));
    await this.loaded;
    return win;
  }
}

/**
 * Composition root of the desktop app: creates the Electron-backed ports and hands them to
 * the AppController. Each feature lives in its own file with its own setup; the behaviour
 * is in Electron-free modules that are unit-tested in Node.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, clipboard, dialog, globalShortcut, safeStorage, session } from 'electron';
import { errorInfo, toErrorInfo } from '../../shared/errors.js';
import type { DeviceInfo, MainToRenderer, PageId, SettingsView } from '../../shared/ipc-contract.js';
import { rmSync } from 'node:fs';
import { keptAudioInfo, pruneKeptAudio, removeKeptAudio, writeKeptWav } from '../audio/kept-audio.js';
import { listAllDevices, resolveSource } from '../audio/system-audio.js';
import { startOverlayServer } from '../overlay/overlay-server.js';
import { CaptionRun } from '../pipeline/caption-run.js';
import { MeetingRun } from '../pipeline/meeting-run.js';
import { getProvider } from '../stt/providers/index.js';
import { PROVIDERS } from '../../shared/providers.js';
import { createWsTransport } from '../stt/ws-transport.js';
import { systemClock, systemRandom } from '../util/clock.js';
import { AppController } from './app-controller.js';
import { fireworksPrerecorded } from '../prerecorded/fireworks-service.js';
import { httpUpload } from '../prerecorded/http-upload.js';
import { transcribeFile } from '../prerecorded/transcribe-job.js';
import { BrowserOverlay } from './browser-overlay.js';
import { FileTranscriber } from './file-transcriber.js';
import { HistoryService } from './history-service.js';
import { applyHotkeys } from './hotkeys.js';
import { sendToPage, setupIpc } from './ipc.js';
import { KeyStore } from './key-store.js';
import { enableLoopbackFeatures, LoopbackCapture, loopbackSupported } from './loopback.js';
import { createOverlayWindow } from './overlay-window.js';
import { PageWindows } from './page-windows.js';
import { sourceFromSetting, sourceSpec, type PipelineSource } from './pipeline-port.js';
import { PendingSends } from './pending-sends.js';
import { platformNotes } from './platform-notes.js';
import { registerAppScheme, setupProtocol } from './protocol.js';
import { RunPipeline, testSourceLevel } from './run-pipeline.js';
import { setupSecurity } from './security.js';
import { SettingsStore } from './settings-store.js';
import { setupTray } from './tray.js';
import type { TrayAction } from './tray-menu.js';

const here = dirname(fileURLToPath(import.meta.url)); // out/main/app
const rendererRoot = join(here, '../../renderer');
const preload = join(here, '../preload/preload.cjs');
const LEVEL_TEST_MS = 3000;
const log = (message: string) => console.warn(`[earshot] ${message}`);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  if (loopbackSupported()) enableLoopbackFeatures();
  app.whenReady().then(startApp).catch((err: unknown) => {
    dialog.showErrorBox('Earshot could not start', toErrorInfo(err).detail ?? String(err));
    app.exit(1);
  });
}

async function startApp(): Promise<void> {
  const dataDir = app.getPath('userData');
  // "Keep the meeting audio": beside the history, one folder per session.
  const keptRoot = join(dataDir, 'kept-audio');
  const devTools = !app.isPackaged;
  const iconPath = app.isPackaged ? join(process.resourcesPath, 'icons', 'tray.png') : join(here, '../../../build/icons/tray.png');
  const ses = session.defaultSession;
  setupSecurity(ses, log);
  setupProtocol(ses, rendererRoot);

  const settings = new SettingsStore({ dir: dataDir });
  const keys = new KeyStore({ dir: dataDir, safeStorage, platform: process.platform });
  await keys.load();
  const notice = (message: string) => send('overlay', 'notice', errorInfo('NOTICE', message));

  const overlay = createOverlayWindow({ preload, devTools, statePath: join(dataDir, 'window-state.json'), onError: notice });
  const pages = new PageWindows({ preload, devTools, icon: iconPath, onClosed: (id) => { if (id === 'settings') controller.endPreview(); } });
  const loopback = loopbackSupported() ? new LoopbackCapture({ preload, devTools, session: ses, clock: systemClock, log }) : null;
  const browser = new BrowserOverlay({
    startServer: startOverlayServer,
    staticDir: rendererRoot,
    getSnapshot: () => controller.snapshot(),
    getStyle: () => controller.style(),
    onStarted: (url) => log(`browser overlay: ${url}`),
    onError: (e) => send('overlay', 'notice', e),
  });

  // Notices sent while the overlay page loads would be lost (start-up problems, taken shortcuts).
  const overlayNotices = new PendingSends<MainToRenderer['notice']>((n) => sendToPage(overlay.window.webContents, 'overlay', 'notice', n));
  function send<K extends keyof MainToRenderer>(page: PageId, channel: K, payload: MainToRenderer[K]): void {
    if (page === 'overlay') {
      if (channel === 'notice') overlayNotices.push(payload as MainToRenderer['notice']);
      else sendToPage(overlay.window.webContents, 'overlay', channel, payload);
      browser.publish(channel, payload);
    } else if (page === 'settings' || page === 'history') {
      sendToPage(pages.get(page)?.webContents, page, channel, payload);
    }
  }

  const openSource = async (s: PipelineSource) => (s.kind === 'external' ? s.source : resolveSource(sourceSpec(s)));
  const toPipelineSource = (setting: string): PipelineSource =>
    setting === 'system' && loopback ? { kind: 'external', source: loopback.createSource() } : sourceFromSetting(setting);

  const runDeps = { transport: createWsTransport, clock: systemClock, random: systemRandom };
  const pipeline = new RunPipeline({
    openSource,
    provider: getProvider,
    createRun: (config) => new CaptionRun(config, runDeps),
    createMeeting: (config) => new MeetingRun(config, runDeps),
    clock: systemClock,
  });
  const history = new HistoryService({
    dir: dataDir,
    keptAudioSeconds: (id) => keptAudioInfo(keptRoot, id)?.seconds ?? null,
    pipeline,
    send,
    now: () => new Date(),
    onError: notice,
    chooseExportPath: async (format, defaultName) => {
      const parent = pages.get('history');
      const options = { defaultPath: join(app.getPath('documents'), defaultName), filters: [{ name: format.toUpperCase(), extensions: [format] }] };
      const r = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  });
  const controller: AppController = new AppController({
    settings, keys, pipeline, history, send,
    overlay: overlay.port,
    openWindow: (page) => { pages.show(page); },
    applyHotkeys: (hotkeys) => applyHotkeys(globalShortcut, hotkeys, {
      toggleOverlay: () => controller.toggleOverlay(),
      pause: () => controller.togglePause(),
      clickThrough: () => controller.toggleClickThrough(),
    }),
    resolveSource: toPipelineSource,
    testSourceLevel: async (setting, ms, onLevel) => testSourceLevel(await openSource(toPipelineSource(setting)), ms, onLevel),
    // setIgnoreMouseEvents' `forward` (mouse moves still reach the page) is macOS and Windows only.
    hoverUnlock: process.platform === 'darwin' || process.platform === 'win32',
    keptAudio: { root: keptRoot, newId: () => `s-${new Date().toISOString().replace(/[:.]/g, '-')}` },
    clock: systemClock,
  });

  const files = new FileTranscriber({
    chooseFile: async () => {
      const parent = pages.get('history');
      const options: Electron.OpenDialogOptions = {
        title: 'Transcribe a recording',
        properties: ['openFile'],
        filters: [{ name: 'Audio', extensions: ['wav', 'flac', 'mp3', 'm4a', 'ogg', 'opus', 'webm', 'aac', 'mp4'] }, { name: 'All files', extensions: ['*'] }],
      };
      const r = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    apiKey: () => keys.keyFor('fireworks'),
    preferences: () => ({ language: settings.get().language, prompt: settings.get().prompt, model: fireworksPrerecorded.defaultModel }),
    transcribe: (job) => transcribeFile(
      { ...job, service: fireworksPrerecorded, ...(settings.get().fileEndpoint ? { endpoint: settings.get().fileEndpoint } : {}) },
      { upload: httpUpload, clock: systemClock, random: systemRandom, epochNow: () => Date.now() },
    ),
    addToHistory: (info, segments) => history.addFileTranscript(info, segments),
    keptAudio: {
      toWav: async (id) => {
        const path = join(app.getPath('temp'), `earshot-${id}.wav`);
        const info = await writeKeptWav(keptRoot, id, path);
        return { path, offsetSeconds: info.offsetSeconds, dispose: () => rmSync(path, { force: true }) };
      },
      describe: (id) => `kept audio ${id}`,
      remove: (id) => removeKeptAudio(keptRoot, id),
    },
    replaceWithImproved: (audio, info, segments) => history.replaceWithImproved(audio, info, segments),
    publish: (p) => send('history', 'transcribe:progress', p),
    clock: systemClock,
  });

  let devices: DeviceInfo[] = [];
  const refreshDevices = async () => {
    try {
      const { devices: found } = await listAllDevices();
      devices = found.map((d) => ({ id: d.id, name: d.name, hostApi: d.hostApi, kind: d.kind, isDefault: d.isDefault }));
      return { devices };
    } catch (err) {
      return { devices, error: toErrorInfo(err) };
    }
  };
  const systemAudio: SettingsView['systemAudio'] = loopback ? 'loopback' : process.platform === 'linux' ? 'monitor' : 'unsupported';
  let levelTest: Promise<unknown> | null = null;

  setupIpc({
    'captions:get-snapshot': () => controller.snapshot(),
    'style:get': () => controller.style(),
    'overlay:set-click-through': (on) => controller.setClickThrough(on),
    'overlay:resize': (size) => overlay.port.resize(size),
    'settings:get': () => ({
      settings: settings.get(), loadErrors: settings.loadReport().errors, keys: keys.info(),
      platform: process.platform === 'linux' || process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'other',
      systemAudio, overlayUrl: browser.url, status: controller.connectionStatus(),
    }),
    'settings:save': (raw) => settings.save(raw),
    'settings:preview-style': (style) => controller.previewStyle(style),
    'settings:end-preview': () => controller.endPreview(),
    'keys:set': (request) => keys.set(request),
    'keys:clear': (provider) => keys.clear(provider),
    'audio:devices': () => refreshDevices(),
    'audio:test-level': async (setting) => {
      if (levelTest) return { ok: false, error: errorInfo('BAD_ARGUMENT', 'A level test is already running.') };
      const run = controller.testLevel(setting, LEVEL_TEST_MS, (l) => send('settings', 'audio:test-level', l));
      levelTest = run;
      try {
        const peak = await run;
        return { ok: true, peakDb: peak.peakDb, rmsDb: peak.rmsDb };
      } catch (err) {
        return { ok: false, error: toErrorInfo(err) };
      } finally {
        levelTest = null;
      }
    },
    'history:get': () => history.view(),
    'history:export': (request) => history.exportAs(request),
    'history:copy': (text) => clipboard.writeText(text),
    'transcribe:start': (request) => files.start(request),
    'transcribe:cancel': () => files.cancel(),
    'transcribe:status': () => files.status(),
    'history:improve': (audio) => files.improve(audio),
    'history:resolve-improved': (choice) => files.resolveImproved(choice),
  }, {
    'overlay:hover-unlock': (hovering) => controller.setUnlockHover(hovering),
    'capture:chunk': (chunk) => loopback?.onChunk(chunk),
    'capture:status': (status) => loopback?.onStatus(status),
  }, log);

  const dispatch = (a: TrayAction): void => {
    switch (a.type) {
      case 'start': void controller.start(); break;
      case 'stop': void controller.stop(); break;
      case 'pause': controller.setPaused(a.paused); break;
      case 'source': controller.setSource(a.source); break;
      case 'language': controller.setLanguage(a.language); break;
      case 'refresh-devices': void refreshDevices().then(updateTray); break;
      case 'click-through': controller.setClickThrough(a.on); break;
      case 'overlay': controller.setOverlayVisible(a.visible); break;
      case 'history': pages.show('history'); break;
      // The history window shows the progress and the result; speakers are labelled.
      case 'transcribe': pages.show('history'); void files.start({ translate: false, diarize: true }); break;
      case 'settings': pages.show('settings'); break;
      case 'quit': app.quit(); break;
    }
  };
  const tray = setupTray(iconPath, dispatch);
  const updateTray = () => tray.update({
    state: controller.state(), status: controller.connectionStatus(), source: settings.get().source,
    language: settings.get().language, recentLanguages: settings.get().recentLanguages,
    detectsLanguage: PROVIDERS[settings.get().provider].detectsLanguage,
    devices, systemAudio, hotkeys: settings.get().hotkeys,
  });
  controller.onState(updateTray);
  keys.onChange((info) => send('settings', 'keys:changed', info));
  settings.onChange((s) => { void browser.apply(s.overlayServer); });

  // Launching Earshot again is the way back for someone locked out by click-through.
  app.on('second-instance', () => controller.secondInstance());
  // A tray app: closing every window does not quit.
  app.on('window-all-closed', () => undefined);
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    globalShortcut.unregisterAll();
    void (async () => {
      await controller.stop().catch(() => undefined);
      history.dispose();
      await browser.close().catch(() => undefined);
      loopback?.dispose();
      controller.dispose();
      tray.dispose();
      overlay.allowClose();
      app.quit();
    })();
  });

  // Pushes sent before the overlay page finished loading are lost; repeat what it must know.
  overlay.window.webContents.on('did-start-loading', () => overlayNotices.closed());
  overlay.window.webContents.on('did-finish-load', () => {
    send('overlay', 'status', controller.connectionStatus());
    send('overlay', 'overlay:click-through', settings.get().clickThrough);
    const dropped = overlayNotices.opened();
    if (dropped) notice(`${dropped} earlier messages were dropped while the captions window loaded.`);
  });

  // Kept audio of sessions History can no longer reach (history off, or a crash before the run
  // was journaled) is deleted at start, so the folder never grows past what History shows.
  history.setEnabled(settings.get().historyEnabled);
  const pruned = pruneKeptAudio(keptRoot, await history.reachableAudio());
  if (pruned.length) log(`deleted kept audio of ${pruned.length} session(s) no longer in History`);

  await refreshDevices();
  updateTray();
  void browser.apply(settings.get().overlayServer);
  await controller.init();
  const report = settings.loadReport();
  const messages = [...(report.message ? [report.message] : []), ...keys.takeProblems(), ...platformNotes(process.platform, process.env)];
  for (const message of messages) notice(message);
}

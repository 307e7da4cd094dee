/**
 * The desktop app's behaviour, free of Electron: starting and stopping captions, pause,
 * click-through, overlay visibility, applying settings as they change, first run without a
 * key, and relaying the pipeline's events to the windows (diffs coalesced to the display
 * rate). main.ts gives it Electron-backed ports; tests give it fakes.
 */
import type { CaptionSnapshot } from '../../shared/captions.js';
import { EarshotError, errorInfo, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { AppState, MainToRenderer, PageId } from '../../shared/ipc-contract.js';
import type { OverlayStyle } from '../../shared/overlay-style.js';
import { PROVIDERS, type ProviderId } from '../../shared/providers.js';
import { isMeetingSource, meetingMicSource, RECENT_LANGUAGES, type HotkeySettings, type Settings, type SourceSetting } from '../../shared/settings.js';
import type { AudioLevel, ConnectionStatus } from '../../shared/status.js';
import { DiffCoalescer } from '../captions/diff-coalescer.js';
import type { Clock, Unsubscribe } from '../util/clock.js';
import type { PipelineConfig, PipelinePort, PipelineSource } from './pipeline-port.js';

export interface OverlayPort {
  /** Sets the window's size from the page's resize grip, kept on its display. */
  resize(size: { width: number; height: number }): void;
  show(): void;
  hide(): void;
  isVisible(): boolean;
  setClickThrough(on: boolean): void;
  setContentProtection(on: boolean): void;
}

export interface SettingsPort {
  get(): Settings;
  update(patch: Partial<Settings>): { ok: boolean };
  onChange(listener: (s: Settings) => void): Unsubscribe;
}

export interface KeysPort {
  keyFor(provider: ProviderId): string | undefined;
  onChange(listener: () => void): Unsubscribe;
}

/** The history journal while history is on (history-service.ts implements it). */
export interface HistoryRunPort {
  setEnabled(on: boolean): void;
  startRun(info: Record<string, string>): void;
  /** Facts learnt while the run goes on (the language the service heard). */
  noteRunInfo(info: Record<string, string>): void;
  endRun(): void;
}

export interface ControllerDeps {
  settings: SettingsPort;
  keys: KeysPort;
  pipeline: PipelinePort;
  overlay: OverlayPort;
  openWindow(page: Exclude<PageId, 'overlay' | 'capture'>): void;
  send<K extends keyof MainToRenderer>(page: PageId, channel: K, payload: MainToRenderer[K]): void;
  /** Registers the shortcuts; returns messages for those that failed. */
  applyHotkeys(hotkeys: HotkeySettings): string[];
  /** One source (never 'mic+system': a meeting is built from 'mic' and 'system'). */
  resolveSource(source: SourceSetting): PipelineSource;
  /** Opens `source` on its own and reports its level for `durationMs` (settings' "Test level"). */
  testSourceLevel(source: SourceSetting, durationMs: number, onLevel: (l: AudioLevel) => void): Promise<AudioLevel>;
  /** Whether the overlay can take a click while click-through is on (macOS and Windows forward mouse moves). */
  hoverUnlock: boolean;
  history: HistoryRunPort;
  /** Where kept meeting audio goes, and a fresh name for a session's folder. */
  keptAudio?: { root: string; newId(): string };
  clock: Clock;
  /** Display-rate interval for caption diffs. */
  coalesceMs?: number;
}

const PIPELINE_FIELDS = ['provider', 'model', 'endpoint', 'language', 'prompt', 'source', 'frameMs', 'micLabel', 'systemLabel', 'echoSuppression', 'meetingMic', 'speakerLabels'] as const;
/** Fields that only matter while both sources run. */
const MEETING_FIELDS: ReadonlySet<(typeof PIPELINE_FIELDS)[number]> = new Set(['micLabel', 'systemLabel', 'echoSuppression', 'meetingMic']);
/** Fields a running stream takes without stopping capture (a reconnect that resends the backlog). */
const LIVE_FIELDS: ReadonlySet<(typeof PIPELINE_FIELDS)[number]> = new Set(['language', 'prompt']);
const OVERLAY_PAGES: PageId[] = ['overlay'];

export class AppController {
  private running = false;
  private paused = false;
  private status: ConnectionStatus = { kind: 'idle' };
  private previewing = false;
  private heardLanguage = '';
  /** The running session keeps its audio (for Improve transcript). */
  private keepingAudio = false;
  private waitingForKey = false;
  private current: Settings;
  private readonly coalescer: DiffCoalescer;
  private readonly stateListeners = new Set<(s: AppState, status: ConnectionStatus) => void>();
  private readonly subscriptions: Unsubscribe[] = [];
  /** Serialises start/stop so tray clicks in quick succession cannot interleave. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ControllerDeps) {
    this.current = deps.settings.get();
    const p = deps.pipeline;
    this.coalescer = new DiffCoalescer({ on: (l) => p.on('diff', l), snapshot: () => p.snapshot() },
      { clock: deps.clock, ...(deps.coalesceMs !== undefined ? { intervalMs: deps.coalesceMs } : {}) });
    this.subscriptions.push(
      this.coalescer.on((diff) => this.toOverlay('captions:diff', diff)),
      p.on('status', (s) => this.setStatus(s)),
      p.on('language', (l) => {
        this.heardLanguage = l.code;
        deps.history.noteRunInfo({ language: l.code });
        if (this.status.kind === 'live') this.setStatus(this.status);
      }),
      p.on('level', (l) => this.toOverlay('level', l)),
      p.on('warning', (w) => this.notify(w)),
      p.on('ended', (e) => this.ended(e.fatal)),
      deps.settings.onChange((s) => this.applySettings(s)),
      deps.keys.onChange(() => this.keysChanged()),
    );
  }

  /** App start: applies settings to the overlay, registers shortcuts, starts captions or asks for a key. */
  async init(): Promise<void> {
    const s = this.current;
    this.deps.overlay.setClickThrough(s.clickThrough);
    this.deps.overlay.setContentProtection(s.hideFromScreenCapture);
    this.deps.history.setEnabled(s.historyEnabled);
    this.reportHotkeys(this.deps.applyHotkeys(s.hotkeys));
    if (s.clickThrough) this.explainClickThrough();
    await this.start();
  }

  state(): AppState {
    return { running: this.running, paused: this.paused, overlayVisible: this.deps.overlay.isVisible(), clickThrough: this.current.clickThrough };
  }

  connectionStatus(): ConnectionStatus {
    return this.status;
  }

  onState(listener: (s: AppState, status: ConnectionStatus) => void): Unsubscribe {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  snapshot(): CaptionSnapshot {
    return this.coalescer.snapshot();
  }

  style(): OverlayStyle {
    return this.current.style;
  }

  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.running) return;
      const s = this.current;
      const apiKey = this.deps.keys.keyFor(s.provider);
      if (!apiKey) {
        this.waitingForKey = true;
        const error = errorInfo('KEY_MISSING', `${PROVIDERS[s.provider].label}: add the key in settings`);
        this.setStatus({ kind: 'error', error });
        this.deps.openWindow('settings');
        return;
      }
      this.waitingForKey = false;
      this.heardLanguage = '';
      try {
        this.running = true;
        this.paused = false;
        this.emitState();
        // A meeting keeps both sides mixed into one track (one recording for Improve transcript).
        const kept = s.keepAudio && this.deps.keptAudio ? { root: this.deps.keptAudio.root, id: this.deps.keptAudio.newId(), maxBytes: s.keepAudioLimitMb * 1024 * 1024 } : undefined;
        await this.deps.pipeline.start({ ...this.pipelineConfig(s, apiKey), ...(kept ? { keepAudio: kept } : {}) });
        this.keepingAudio = kept !== undefined;
        this.deps.history.startRun({ provider: s.provider, model: s.model, source: s.source, ...(kept ? { audio: kept.id } : {}) });
      } catch (err) {
        this.running = false;
        this.setStatus({ kind: 'error', error: toErrorInfo(err) });
      }
      this.emitState();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.running) return;
      try {
        await this.deps.pipeline.stop();
      } catch (err) {
        this.notify(toErrorInfo(err));
      }
      this.running = false;
      this.paused = false;
      this.deps.history.endRun();
      this.offerImprove();
      this.emitState();
    });
  }

  /** A session whose audio was kept can be improved now; say so where the person looks. */
  private offerImprove(): void {
    if (!this.keepingAudio) return;
    this.keepingAudio = false;
    this.notify(errorInfo('NOTICE', 'This session\'s audio was kept: open History and press Improve transcript for a more accurate transcript with speakers.'));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  setPaused(paused: boolean): void {
    if (!this.running || this.paused === paused) return;
    this.paused = paused;
    this.deps.pipeline.pause(paused);
    this.emitState();
  }

  togglePause(): void {
    this.setPaused(!this.paused);
  }

  setClickThrough(on: boolean): void {
    if (this.current.clickThrough !== on) this.deps.settings.update({ clickThrough: on });
  }

  /**
   * The pointer is over the overlay's Unlock button while click-through is on: let that one
   * click through to the page (setIgnoreMouseEvents(false)), and ignore the mouse again when
   * it leaves. Only macOS and Windows forward the mouse moves that make this possible.
   */
  setUnlockHover(hovering: boolean): void {
    if (!this.current.clickThrough || !this.deps.hoverUnlock) return;
    this.deps.overlay.setClickThrough(!hovering);
  }

  /**
   * Earshot was launched again while running: the way back for someone locked out by
   * click-through with no tray (GNOME without AppIndicator) and a taken shortcut.
   */
  secondInstance(): void {
    this.setClickThrough(false);
    this.setOverlayVisible(true);
    this.deps.openWindow('settings');
  }

  /**
   * Settings' "Test level". When captions already use that source, the test mirrors the
   * running source's levels instead of opening it a second time: a second open would close
   * the live system-audio capture (there is one loopback page) or fail on a busy device.
   */
  async testLevel(source: SourceSetting, durationMs: number, onLevel: (l: AudioLevel) => void): Promise<AudioLevel> {
    // A running meeting already reads the microphone (stream 0) and system audio (stream 1).
    const mic = meetingMicSource(this.current.meetingMic);
    const inMeeting = this.running && isMeetingSource(this.current.source) && (source === mic || source === 'system');
    const live = (this.running && this.current.source === source) || inMeeting;
    if (!live && isMeetingSource(source)) return this.testBoth(durationMs, onLevel);
    if (!live) return this.deps.testSourceLevel(source, durationMs, onLevel);
    const stream = inMeeting ? (source === mic ? 0 : 1) : undefined;
    if (this.paused) throw new EarshotError('BAD_ARGUMENT', 'Captions are paused, so this source is not being read. Resume captions to see its level.');
    let peak: AudioLevel = { rmsDb: -100, peakDb: -100 };
    let seen = 0;
    await new Promise<void>((resolve) => {
      const off = this.deps.pipeline.on('level', (l) => {
        if (stream !== undefined && l.stream?.index !== stream) return;
        seen++;
        if (l.peakDb > peak.peakDb) peak = l;
        onLevel(l);
      });
      const offEnded = this.deps.pipeline.on('ended', () => finish());
      const timer = this.deps.clock.setTimeout(() => finish(), durationMs);
      const finish = () => { off(); offEnded(); this.deps.clock.clearTimeout(timer); resolve(); };
    });
    if (seen === 0) throw new EarshotError('DEVICE_LOST', 'The live source delivered no audio during the test.');
    return peak;
  }

  /**
   * Both sources at once, as a meeting opens them. The meter follows the louder; the result is
   * the quieter side's peak, so a silent microphone or silent system audio is what gets said.
   */
  private async testBoth(durationMs: number, onLevel: (l: AudioLevel) => void): Promise<AudioLevel> {
    const latest: AudioLevel[] = [{ rmsDb: -100, peakDb: -100 }, { rmsDb: -100, peakDb: -100 }];
    const sides = [meetingMicSource(this.current.meetingMic), 'system'] as const;
    const peaks = await Promise.all(sides.map((s, i) => this.deps.testSourceLevel(s, durationMs, (l) => {
      latest[i] = l;
      onLevel(latest[0]!.rmsDb >= latest[1]!.rmsDb ? latest[0]! : latest[1]!);
    })));
    return peaks[0]!.peakDb <= peaks[1]!.peakDb ? peaks[0]! : peaks[1]!;
  }

  toggleClickThrough(): void {
    this.setClickThrough(!this.current.clickThrough);
  }

  setOverlayVisible(visible: boolean): void {
    if (visible) this.deps.overlay.show();
    else this.deps.overlay.hide();
    this.emitState();
  }

  toggleOverlay(): void {
    this.setOverlayVisible(!this.deps.overlay.isVisible());
  }

  setSource(source: SourceSetting): void {
    this.deps.settings.update({ source });
  }

  /** The tray's quick language switch ('' = detect automatically). */
  setLanguage(language: string): void {
    if (language !== this.current.language) this.deps.settings.update({ language });
  }

  /** Live preview from the settings window; nothing is saved. */
  previewStyle(style: OverlayStyle): void {
    this.previewing = true;
    this.toOverlay('style', style);
  }

  endPreview(): void {
    if (!this.previewing) return;
    this.previewing = false;
    this.toOverlay('style', this.current.style);
  }

  dispose(): void {
    for (const u of this.subscriptions.splice(0)) u();
    this.coalescer.close();
    this.stateListeners.clear();
  }

  private applySettings(next: Settings): void {
    const prev = this.current;
    this.current = next;
    if (prev.clickThrough !== next.clickThrough) {
      this.deps.overlay.setClickThrough(next.clickThrough);
      this.toOverlay('overlay:click-through', next.clickThrough);
      if (next.clickThrough) this.explainClickThrough();
    }
    if (prev.hideFromScreenCapture !== next.hideFromScreenCapture) this.deps.overlay.setContentProtection(next.hideFromScreenCapture);
    if (JSON.stringify(prev.style) !== JSON.stringify(next.style) || this.previewing) {
      this.previewing = false;
      this.toOverlay('style', next.style);
    }
    if (JSON.stringify(prev.hotkeys) !== JSON.stringify(next.hotkeys)) this.reportHotkeys(this.deps.applyHotkeys(next.hotkeys));
    if (prev.historyEnabled !== next.historyEnabled) {
      this.deps.history.setEnabled(next.historyEnabled);
      if (next.historyEnabled && this.running) this.deps.history.startRun({ provider: next.provider, model: next.model, source: next.source });
    }
    this.deps.send('settings', 'settings:changed', next);
    if (prev.language !== next.language && next.language && next.recentLanguages[0] !== next.language) {
      // Remembered for the tray; this update changes no pipeline field, so it restarts nothing.
      this.deps.settings.update({ recentLanguages: [next.language, ...next.recentLanguages.filter((l) => l !== next.language)].slice(0, RECENT_LANGUAGES) });
    }
    const meeting = isMeetingSource(prev.source) || isMeetingSource(next.source);
    const changed = PIPELINE_FIELDS.filter((f) => prev[f] !== next[f] && (meeting || !MEETING_FIELDS.has(f)));
    const pipelineChanged = changed.length > 0;
    if (pipelineChanged && this.running && changed.every((f) => LIVE_FIELDS.has(f)) && this.reconfigure(next)) {
      // Applied to the running stream: no gap in capture.
    } else if (pipelineChanged && this.running) void this.restart();
    else if (pipelineChanged && this.waitingForKey) void this.start();
    this.emitState();
  }

  /** The run ended without stop() (file finished, refused key, lost device). */
  private ended(fatal?: ErrorInfo): void {
    if (!this.running) return;
    // A refused key: captions start again by themselves once a new key is saved.
    if (fatal?.code === 'AUTH_REFUSED') this.waitingForKey = true;
    this.running = false;
    this.paused = false;
    this.deps.history.endRun();
    this.offerImprove();
    this.emitState();
  }

  /** A new language or prompt for the running stream, losslessly; false when that cannot be done. */
  private reconfigure(s: Settings): boolean {
    const apiKey = this.deps.keys.keyFor(s.provider);
    if (!apiKey) return false;
    try {
      this.heardLanguage = '';
      return this.deps.pipeline.reconfigure(this.pipelineConfig(s, apiKey));
    } catch (err) {
      this.notify(toErrorInfo(err));
      return true; // the running stream is untouched; saying why is enough
    }
  }

  private pipelineConfig(s: Settings, apiKey: string): PipelineConfig {
    const source: PipelineConfig['source'] = isMeetingSource(s.source)
      ? {
          kind: 'meeting',
          streams: [
            { term: meetingMicSource(s.meetingMic), label: s.micLabel, source: this.deps.resolveSource(meetingMicSource(s.meetingMic)) },
            { term: 'system', label: s.systemLabel, source: this.deps.resolveSource('system') },
          ],
          echo: s.echoSuppression,
        }
      : this.deps.resolveSource(s.source);
    return {
      source, provider: s.provider, model: s.model, endpoint: s.endpoint,
      language: s.language, prompt: s.prompt, frameMs: s.frameMs, apiKey,
      // Only where the service can: a setting kept from another provider must not stop captions.
      ...(s.speakerLabels && PROVIDERS[s.provider].liveSpeakerLabels ? { speakerLabels: true } : {}),
    };
  }

  private keysChanged(): void {
    if (this.waitingForKey && !this.running && this.deps.keys.keyFor(this.current.provider)) void this.start();
  }

  private setStatus(status: ConnectionStatus): void {
    // A live line says which language the service hears (it detects it when none is set).
    if (status.kind === 'live' && this.heardLanguage) status = { ...status, language: this.heardLanguage };
    this.status = status;
    this.toOverlay('status', status);
    // Settings is where a person fixes a key, a device or an endpoint: it shows the same cause.
    this.deps.send('settings', 'status', status);
    this.emitState();
  }

  private notify(info: ErrorInfo): void {
    this.toOverlay('notice', info);
    this.deps.send('settings', 'notice', info);
  }

  /** Once per profile: how to get the mouse back, before anyone is stuck. */
  private explainClickThrough(): void {
    if (this.current.clickThroughExplained) return;
    const ways = [
      ...(this.current.hotkeys.clickThrough ? [`press ${this.current.hotkeys.clickThrough}`] : []),
      ...(this.deps.hoverUnlock ? ['point at the captions and click Unlock'] : []),
      'use the tray menu',
      'or start Earshot again',
    ];
    this.notify(errorInfo('NOTICE', `Click-through is on: the mouse now passes through the captions. To get it back, ${ways.join(', ')}.`));
    this.deps.settings.update({ clickThroughExplained: true });
  }

  private reportHotkeys(failures: string[]): void {
    for (const f of failures) this.notify(errorInfo('NOTICE', f));
  }

  private toOverlay<K extends keyof MainToRenderer>(channel: K, payload: MainToRenderer[K]): void {
    for (const page of OVERLAY_PAGES) this.deps.send(page, channel, payload);
  }

  private emitState(): void {
    const s = this.state();
    this.deps.send('settings', 'app:state', s);
    for (const l of [...this.stateListeners]) l(s, this.status);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

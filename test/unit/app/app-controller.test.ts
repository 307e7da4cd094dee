import { describe, expect, it } from 'vitest';
import { AppController, type ControllerDeps, type HistoryRunPort, type OverlayPort } from '../../../main/app/app-controller.js';
import type { PipelineConfig, PipelineEvents, PipelinePort } from '../../../main/app/pipeline-port.js';
import { EarshotError } from '../../../shared/errors.js';
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../../shared/captions.js';
import type { MainToRenderer, PageId } from '../../../shared/ipc-contract.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/settings.js';
import { FakeClock, flushMicrotasks } from '../../fakes/fake-clock.js';

class FakePipeline implements PipelinePort {
  starts: PipelineConfig[] = [];
  stops = 0;
  pauses: boolean[] = [];
  failNext: Error | null = null;
  private state: CaptionSnapshot = { rev: 0, segments: [] };
  // Keyed by event name; each set holds listeners of that event's payload type.
  private readonly listeners: Partial<Record<keyof PipelineEvents, Set<(p: never) => void>>> = {};
  async start(config: PipelineConfig) {
    this.starts.push(config);
    if (this.failNext) { const e = this.failNext; this.failNext = null; throw e; }
  }
  async stop() { this.stops++; this.emit('ended', {}); }
  reconfigures: PipelineConfig[] = [];
  reconfigure(config: PipelineConfig) { this.reconfigures.push(config); return true; }
  pause(p: boolean) { this.pauses.push(p); }
  on<K extends keyof PipelineEvents>(event: K, l: (p: PipelineEvents[K]) => void) {
    const set = (this.listeners[event] ??= new Set()) as unknown as Set<(p: PipelineEvents[K]) => void>;
    set.add(l);
    return () => { set.delete(l); };
  }
  emit<K extends keyof PipelineEvents>(event: K, payload: PipelineEvents[K]) {
    for (const l of [...(this.listeners[event] ?? [])] as unknown as ((p: PipelineEvents[K]) => void)[]) l(payload);
  }
  upsert(seg: Segment) {
    const diff: CaptionDiff = { rev: this.state.rev + 1, upserts: [seg], removals: [] };
    this.state = { rev: diff.rev, segments: [...this.state.segments.filter((s) => s.id !== seg.id), seg] };
    this.emit('diff', diff);
  }
  snapshot() { return this.state; }
  finals() { return this.state.segments.filter((s) => s.final); }
}

function setup(opts: { key?: string; settings?: Partial<Settings>; hotkeyFailures?: string[]; hoverUnlock?: boolean } = {}) {
  let settings: Settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  const settingsListeners = new Set<(s: Settings) => void>();
  const keyListeners = new Set<() => void>();
  let key = opts.key;
  const sent: { page: PageId; channel: keyof MainToRenderer; payload: unknown }[] = [];
  const opened: string[] = [];
  const overlayCalls: string[] = [];
  let visible = true;
  const overlay: OverlayPort = {
    resize: (s) => overlayCalls.push(`resize:${s.width}x${s.height}`),
    show: () => { visible = true; overlayCalls.push('show'); },
    hide: () => { visible = false; overlayCalls.push('hide'); },
    isVisible: () => visible,
    setClickThrough: (on) => overlayCalls.push(`click-through:${on}`),
    setContentProtection: (on) => overlayCalls.push(`protect:${on}`),
  };
  const historyCalls: string[] = [];
  const history: HistoryRunPort = {
    setEnabled: (on) => historyCalls.push(`enabled:${on}`),
    startRun: () => historyCalls.push('start'),
    noteRunInfo: (info) => historyCalls.push(`info:${JSON.stringify(info)}`),
    endRun: () => historyCalls.push('end'),
  };
  const hotkeysApplied: string[] = [];
  const pipeline = new FakePipeline();
  const clock = new FakeClock();
  const deps: ControllerDeps = {
    settings: {
      get: () => settings,
      update: (patch) => { settings = { ...settings, ...patch }; for (const l of settingsListeners) l(settings); return { ok: true }; },
      onChange: (l) => { settingsListeners.add(l); return () => settingsListeners.delete(l); },
    },
    keys: {
      keyFor: () => key,
      onChange: (l) => { keyListeners.add(l); return () => keyListeners.delete(l); },
    },
    pipeline,
    overlay,
    openWindow: (p) => opened.push(p),
    send: (page, channel, payload) => sent.push({ page, channel, payload }),
    applyHotkeys: (hk) => { hotkeysApplied.push(hk.pause); return opts.hotkeyFailures ?? []; },
    resolveSource: (s) => (s === 'system' ? { kind: 'system' } : s.startsWith('device:') ? { kind: 'device', id: s.slice('device:'.length) } : { kind: 'mic' }),
    testSourceLevel: async (s, ms, onLevel) => {
      opened.push(`level-test:${s}:${ms}`);
      onLevel({ rmsDb: -40, peakDb: -12 });
      return { rmsDb: -40, peakDb: -12 };
    },
    hoverUnlock: opts.hoverUnlock ?? true,
    keptAudio: { root: '/data/kept-audio', newId: () => 's-test' },
    history,
    clock,
    coalesceMs: 33,
  };
  const controller = new AppController(deps);
  return {
    controller, pipeline, clock, sent, opened, overlayCalls, historyCalls, hotkeysApplied,
    setKey: (k: string) => { key = k; for (const l of keyListeners) l(); },
    save: (patch: Partial<Settings>) => deps.settings.update(patch),
    sentOn: (channel: keyof MainToRenderer) => sent.filter((s) => s.channel === channel),
  };
}

describe('AppController', () => {
  it('first run without a key: opens settings, shows KEY_MISSING, starts once a key is set', async () => {
    const t = setup();
    await t.controller.init();
    expect(t.opened).toEqual(['settings']);
    expect(t.pipeline.starts).toHaveLength(0);
    const status = t.sentOn('status').at(-1)!.payload as { kind: string; error: { code: string } };
    expect(status).toMatchObject({ kind: 'error', error: { code: 'KEY_MISSING' } });
    t.setKey('fw_key_123456789');
    await flushMicrotasks();
    expect(t.pipeline.starts).toHaveLength(1);
    expect(t.pipeline.starts[0]).toMatchObject({ apiKey: 'fw_key_123456789', provider: 'fireworks', source: { kind: 'mic' }, frameMs: 50 });
    expect(t.controller.state().running).toBe(true);
  });

  it('applies settings at start: click-through, capture protection, shortcuts, history', async () => {
    const t = setup({ key: 'k', settings: { clickThrough: true, hideFromScreenCapture: true, historyEnabled: true } });
    await t.controller.init();
    expect(t.overlayCalls).toEqual(['click-through:true', 'protect:true']);
    expect(t.hotkeysApplied).toEqual([DEFAULT_SETTINGS.hotkeys.pause]);
    expect(t.historyCalls).toEqual(['enabled:true', 'start']);
  });

  it('reports a start failure as an error status a person can act on', async () => {
    const t = setup({ key: 'k' });
    t.pipeline.failNext = new EarshotError('DEVICE_NOT_FOUND', 'device:7');
    await t.controller.init();
    expect(t.controller.state().running).toBe(false);
    expect(t.controller.connectionStatus()).toMatchObject({ kind: 'error', error: { code: 'DEVICE_NOT_FOUND', detail: 'device:7' } });
  });

  it('pauses, resumes and stops', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.controller.togglePause();
    expect(t.controller.state().paused).toBe(true);
    t.controller.togglePause();
    expect(t.pipeline.pauses).toEqual([true, false]);
    await t.controller.stop();
    expect(t.pipeline.stops).toBe(1);
    expect(t.controller.state()).toMatchObject({ running: false, paused: false });
    t.controller.togglePause(); // nothing to pause
    expect(t.pipeline.pauses).toEqual([true, false]);
  });

  it('toggles click-through through the settings, so it persists and reaches the overlay', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.controller.toggleClickThrough();
    expect(t.overlayCalls.at(-1)).toBe('click-through:true');
    expect(t.sentOn('overlay:click-through').at(-1)!.payload).toBe(true);
    expect(t.controller.state().clickThrough).toBe(true);
    t.controller.setClickThrough(false);
    expect(t.overlayCalls.at(-1)).toBe('click-through:false');
  });

  it('shows and hides the overlay', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.controller.toggleOverlay();
    t.controller.toggleOverlay();
    expect(t.overlayCalls.filter((c) => c === 'show' || c === 'hide')).toEqual(['hide', 'show']);
  });

  it('restarts the pipeline when a pipeline setting changes, not for a style change', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.save({ style: { ...DEFAULT_SETTINGS.style, fontSize: 40 } });
    await flushMicrotasks(20);
    expect(t.pipeline.starts).toHaveLength(1);
    expect(t.sentOn('style').at(-1)!.payload).toMatchObject({ fontSize: 40 });
    t.controller.setSource('system');
    await flushMicrotasks(20);
    expect(t.pipeline.stops).toBe(1);
    expect(t.pipeline.starts).toHaveLength(2);
    expect(t.pipeline.starts[1]!.source).toEqual({ kind: 'system' });
  });

  it('a new language or prompt goes to the running stream without stopping capture', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.save({ language: 'de' });
    await flushMicrotasks(20);
    expect(t.pipeline.stops).toBe(0);
    expect(t.pipeline.starts).toHaveLength(1);
    expect(t.pipeline.reconfigures.map((c) => c.language)).toEqual(['de']);
    // Remembered for the tray's quick switch, newest first.
    t.controller.setLanguage('es');
    await flushMicrotasks(20);
    expect(t.pipeline.reconfigures.map((c) => c.language)).toEqual(['de', 'es']);
    expect((t.sentOn('settings:changed').at(-1)!.payload as Settings).recentLanguages).toEqual(['es', 'de']);
    // Anything else (here the source) still restarts the run.
    t.save({ language: 'fr', source: 'system' });
    await flushMicrotasks(20);
    expect(t.pipeline.stops).toBe(1);
    expect(t.pipeline.reconfigures).toHaveLength(2);
  });

  it('previews a style on the overlay and restores the saved one after', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.controller.previewStyle({ ...DEFAULT_SETTINGS.style, textColor: '#ffff00' });
    expect(t.sentOn('style').at(-1)).toMatchObject({ page: 'overlay', payload: { textColor: '#ffff00' } });
    t.controller.endPreview();
    expect(t.sentOn('style').at(-1)!.payload).toEqual(DEFAULT_SETTINGS.style);
    const count = t.sentOn('style').length;
    t.controller.endPreview(); // no preview running: nothing to restore
    expect(t.sentOn('style')).toHaveLength(count);
  });

  it('coalesces a burst of diffs into one overlay message per display frame', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    for (let i = 0; i < 5; i++) t.pipeline.upsert({ id: 'a', text: 'hello '.repeat(i + 1).trim(), start: 0, end: 1, final: false });
    expect(t.sentOn('captions:diff')).toHaveLength(0);
    t.clock.advance(40);
    const diffs = t.sentOn('captions:diff');
    expect(diffs).toHaveLength(1);
    expect(diffs[0]!.payload).toMatchObject({ rev: 1, upserts: [{ id: 'a', text: 'hello hello hello hello hello' }] });
    expect(t.controller.snapshot()).toMatchObject({ rev: 1, segments: [{ id: 'a' }] });
  });

  it('forwards levels and warnings to the overlay and notices failed shortcuts', async () => {
    const t = setup({ key: 'k', hotkeyFailures: ['The shortcut X is taken'] });
    await t.controller.init();
    t.pipeline.emit('level', { rmsDb: -20, peakDb: -6 });
    t.pipeline.emit('warning', { code: 'BACKLOG_OVERFLOW', message: 'm', retryable: false });
    expect(t.sentOn('level')).toHaveLength(1);
    const onOverlay = t.sentOn('notice').filter((n) => n.page === 'overlay');
    expect(onOverlay.map((n) => (n.payload as { code: string; detail?: string }).detail ?? (n.payload as { code: string }).code))
      .toEqual(['The shortcut X is taken', 'BACKLOG_OVERFLOW']);
    // Settings, where a person fixes things, hears the same.
    expect(t.sentOn('notice').filter((n) => n.page === 'settings').map((n) => n.payload)).toEqual(onOverlay.map((n) => n.payload));
  });

  it('notices when a run ends by itself', async () => {
    const t = setup({ key: 'k', settings: { historyEnabled: true } });
    await t.controller.init();
    t.pipeline.emit('ended', { fatal: { code: 'AUTH_REFUSED', message: 'm', retryable: false } });
    expect(t.controller.state().running).toBe(false);
    expect(t.historyCalls).toEqual(['enabled:true', 'start', 'end']);
    await t.controller.start();
    expect(t.pipeline.starts).toHaveLength(2);
  });

  it('a second launch is the way back: click-through off, captions shown, settings open', async () => {
    const t = setup({ key: 'k', settings: { clickThrough: true, clickThroughExplained: true } });
    await t.controller.init();
    t.controller.setOverlayVisible(false);
    t.controller.secondInstance();
    expect(t.controller.state()).toMatchObject({ clickThrough: false, overlayVisible: true });
    expect(t.overlayCalls.at(-1)).toBe('show');
    expect(t.overlayCalls).toContain('click-through:false');
    expect(t.opened).toEqual(['settings']);
  });

  it('explains once how to leave click-through, the first time it turns on', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.controller.setClickThrough(true);
    const notices = t.sentOn('notice').filter((n) => n.page === 'overlay').map((n) => n.payload as { code: string; detail: string });
    expect(notices).toEqual([expect.objectContaining({ code: 'NOTICE', detail: expect.stringContaining('CommandOrControl+Shift+L') })]);
    expect(notices[0]!.detail).toMatch(/tray menu.*start Earshot again/);
    t.controller.setClickThrough(false);
    t.controller.setClickThrough(true);
    expect(t.sentOn('notice').filter((n) => n.page === 'overlay')).toHaveLength(1);
  });

  it('explains click-through at start when a profile starts in it and was never told', async () => {
    const t = setup({ key: 'k', settings: { clickThrough: true }, hoverUnlock: false });
    await t.controller.init();
    const detail = (t.sentOn('notice')[0]!.payload as { detail: string }).detail;
    expect(detail).toContain('start Earshot again');
    expect(detail).not.toContain('Unlock'); // Linux: no forwarded mouse moves, no hover unlock
  });

  it('lets the Unlock button take a click while hovered (macOS, Windows), never elsewhere', async () => {
    const t = setup({ key: 'k', settings: { clickThrough: true, clickThroughExplained: true } });
    await t.controller.init();
    t.overlayCalls.length = 0;
    t.controller.setUnlockHover(true);
    t.controller.setUnlockHover(false);
    expect(t.overlayCalls).toEqual(['click-through:false', 'click-through:true']);
    const linux = setup({ key: 'k', settings: { clickThrough: true, clickThroughExplained: true }, hoverUnlock: false });
    await linux.controller.init();
    linux.overlayCalls.length = 0;
    linux.controller.setUnlockHover(true);
    expect(linux.overlayCalls).toEqual([]);
    t.controller.setClickThrough(false);
    t.overlayCalls.length = 0;
    t.controller.setUnlockHover(false); // not in click-through: a stray leave must not lock the window
    expect(t.overlayCalls).toEqual([]);
  });

  it('tests the level of the live source by mirroring it, never by opening it a second time', async () => {
    const t = setup({ key: 'k', settings: { source: 'system' } });
    await t.controller.init();
    const levels: number[] = [];
    const test = t.controller.testLevel('system', 3000, (l) => levels.push(l.peakDb));
    t.pipeline.emit('level', { rmsDb: -30, peakDb: -10 });
    t.pipeline.emit('level', { rmsDb: -20, peakDb: -4 });
    t.clock.advance(3000);
    await expect(test).resolves.toEqual({ rmsDb: -20, peakDb: -4 });
    expect(levels).toEqual([-10, -4]);
    expect(t.pipeline.stops).toBe(0);
    expect(t.opened.filter((o) => o.startsWith('level-test'))).toEqual([]);
    // Another source is opened on its own.
    await expect(t.controller.testLevel('mic', 3000, () => {})).resolves.toMatchObject({ peakDb: -12 });
    expect(t.opened).toContain('level-test:mic:3000');
  });

  it('says why a level test of the live source shows nothing while paused', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.controller.setPaused(true);
    await expect(t.controller.testLevel('mic', 3000, () => {})).rejects.toThrow(/paused/);
  });

  it('keeps the session audio only when the person turned it on, within their limit', async () => {
    const off = setup({ key: 'k' });
    await off.controller.init();
    expect(off.pipeline.starts[0]!.keepAudio).toBeUndefined();
    const on = setup({ key: 'k', settings: { keepAudio: true, keepAudioLimitMb: 300 } });
    await on.controller.init();
    expect(on.pipeline.starts[0]!.keepAudio).toEqual({ root: '/data/kept-audio', id: 's-test', maxBytes: 300 * 1024 * 1024 });
    await on.controller.stop();
    expect((on.sentOn('notice').filter((n) => n.page === 'overlay').at(-1)!.payload as { detail: string }).detail).toMatch(/Improve transcript/);
    await off.controller.stop();
    expect(off.sentOn('notice')).toHaveLength(0);
  });

  it('after a refused key, saving a new key starts captions again', async () => {
    const t = setup({ key: 'old-key' });
    await t.controller.init();
    t.pipeline.emit('ended', { fatal: { code: 'AUTH_REFUSED', message: 'm', retryable: false } });
    expect(t.controller.state().running).toBe(false);
    t.setKey('new-key');
    await flushMicrotasks();
    expect(t.pipeline.starts.map((s) => s.apiKey)).toEqual(['old-key', 'new-key']);
  });

  it('shows the language the service hears on the live status, and keeps it with the run', async () => {
    const t = setup({ key: 'k', settings: { historyEnabled: true } });
    await t.controller.init();
    t.pipeline.emit('status', { kind: 'live', provider: 'fireworks' });
    t.pipeline.emit('language', { code: 'de' });
    expect(t.controller.connectionStatus()).toEqual({ kind: 'live', provider: 'fireworks', language: 'de' });
    expect(t.historyCalls).toContain('info:{"language":"de"}');
  });

  it('shows Settings the same connection status as the overlay', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.pipeline.emit('status', { kind: 'reconnecting', provider: 'fireworks', attempt: 2, retryInMs: 500, backlogSeconds: 1, reason: { code: 'NETWORK', message: 'm', retryable: true } });
    expect(t.sentOn('status').filter((s) => s.page === 'settings').at(-1)!.payload).toMatchObject({ kind: 'reconnecting' });
  });

  it('tells state listeners and the settings window about changes', async () => {
    const t = setup({ key: 'k' });
    const states: boolean[] = [];
    t.controller.onState((s) => states.push(s.running));
    await t.controller.init();
    await t.controller.stop();
    expect(states.at(-1)).toBe(false);
    expect(states).toContain(true);
    expect(t.sentOn('app:state').every((s) => s.page === 'settings')).toBe(true);
  });
});

describe('AppController: meetings (microphone + system audio)', () => {
  it('starts both sources with their labels and echo suppression, and keeps their audio when asked', async () => {
    const t = setup({ key: 'k', settings: { source: 'mic+system', micLabel: 'Anna', systemLabel: 'Team', keepAudio: true } });
    await t.controller.init();
    expect(t.pipeline.starts[0]!.source).toEqual({
      kind: 'meeting',
      streams: [{ term: 'mic', label: 'Anna', source: { kind: 'mic' } }, { term: 'system', label: 'Team', source: { kind: 'system' } }],
      echo: true,
    });
    // Both sides, mixed into one kept track by the pipeline (one recording for Improve transcript).
    expect(t.pipeline.starts[0]!.keepAudio).toEqual({ root: '/data/kept-audio', id: 's-test', maxBytes: 2000 * 1024 * 1024 });
  });

  it('the tray switches between one source and both; labels and echo restart only a meeting', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    t.save({ micLabel: 'Me' });
    await flushMicrotasks(20);
    expect(t.pipeline.starts).toHaveLength(1); // one source: labels are not used
    t.controller.setSource('mic+system');
    await flushMicrotasks(20);
    expect(t.pipeline.starts.at(-1)!.source).toMatchObject({ kind: 'meeting', streams: [{ label: 'Me' }, { label: 'Others' }] });
    t.save({ echoSuppression: false });
    await flushMicrotasks(20);
    expect(t.pipeline.starts).toHaveLength(3);
    expect(t.pipeline.starts.at(-1)!.source).toMatchObject({ kind: 'meeting', echo: false });
    t.controller.setSource('mic');
    await flushMicrotasks(20);
    expect(t.pipeline.starts.at(-1)!.source).toEqual({ kind: 'mic' });
  });

  it('uses the microphone chosen for meetings, and its level test mirrors that stream while it runs', async () => {
    const t = setup({ key: 'k', settings: { source: 'mic+system', meetingMic: 'usb-headset-7' } });
    await t.controller.init();
    expect(t.pipeline.starts[0]!.source).toMatchObject({
      kind: 'meeting',
      streams: [{ term: 'device:usb-headset-7', label: 'You', source: { kind: 'device', id: 'usb-headset-7' } }, { term: 'system' }],
    });
    t.save({ meetingMic: '' });
    await flushMicrotasks(20);
    expect(t.pipeline.starts.at(-1)!.source).toMatchObject({ streams: [{ term: 'mic', source: { kind: 'mic' } }, { term: 'system' }] });
  });

  it('asks for speaker labels only where the service can give them live', async () => {
    const t = setup({ key: 'k', settings: { provider: 'assemblyai', model: 'universal-streaming-english', speakerLabels: true } });
    await t.controller.init();
    expect(t.pipeline.starts[0]!.speakerLabels).toBe(true);
    // A setting kept from AssemblyAI must not stop Fireworks (it has no live speaker labels).
    t.save({ provider: 'fireworks', model: 'fireworks-asr-large' });
    await flushMicrotasks(20);
    expect(t.pipeline.starts.length).toBeGreaterThan(1);
    expect(t.pipeline.starts.at(-1)!.speakerLabels).toBeUndefined();
  });

  it('a level test of both sources opens each and reports the quieter side', async () => {
    const t = setup({ key: 'k' });
    await t.controller.init();
    const levels: number[] = [];
    await expect(t.controller.testLevel('mic+system', 3000, (l) => levels.push(l.rmsDb))).resolves.toMatchObject({ peakDb: -12 });
    expect(t.opened.filter((o) => o.startsWith('level-test'))).toEqual(['level-test:mic:3000', 'level-test:system:3000']);
    expect(levels.length).toBeGreaterThan(0);
  });

  it('while a meeting runs, testing one of its sources mirrors that stream (a second loopback would end the live one)', async () => {
    const t = setup({ key: 'k', settings: { source: 'mic+system' } });
    await t.controller.init();
    const seen: number[] = [];
    const test = t.controller.testLevel('system', 3000, (l) => seen.push(l.rmsDb));
    t.pipeline.emit('level', { rmsDb: -10, peakDb: -2, stream: { index: 0, label: 'You' } });
    t.pipeline.emit('level', { rmsDb: -35, peakDb: -20, stream: { index: 1, label: 'Others' } });
    t.clock.advance(3000);
    await expect(test).resolves.toMatchObject({ rmsDb: -35, peakDb: -20 });
    expect(seen).toEqual([-35]);
    expect(t.opened.filter((o) => o.startsWith('level-test'))).toEqual([]);
  });
});

/**
 * Hidden capture page (Windows/macOS system audio). Main answers this page's getDisplayMedia
 * with Chromium's loopback audio; the worklet slices it into float blocks that go to main,
 * where LoopbackAudioSource feeds the captioning pipeline.
 */
import { BRIDGE_GLOBAL, type CaptureBridge } from '../../shared/ipc-contract.js';

const CHANNELS = 2;
// A file next to the page's script, never a data: URL: worklet modules obey the page's
// script-src 'self', so vite.config.ts keeps Vite from inlining it.
const WORKLET_URL = new URL('./pcm-tap.worklet.js', import.meta.url);
const DISPLAY_MEDIA: DisplayMediaStreamOptions = {
  // Chromium switches on echo cancellation, noise suppression and gain control for display
  // audio too. They are for microphones; on loopback they only reshape what the recognizer
  // hears (a steady tone at 0.49 came through at 0.17 with them on).
  audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  // Chromium refuses audio-only display media; the video track is stopped at once.
  video: true,
};

interface Capture { ctx: AudioContext; stream: MediaStream; node: AudioWorkletNode }

const bridge = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as CaptureBridge | undefined;
let current: Capture | null = null;
let opening = false;
/** Bumped by every stop, so a start still opening when the stop came closes what it opened. */
let generation = 0;

function errorText(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

async function release(stream: MediaStream | null, ctx: AudioContext | null): Promise<void> {
  for (const t of stream?.getTracks() ?? []) t.stop();
  await ctx?.close().catch(() => undefined);
}

/** Opens the loopback stream and the worklet; on failure releases whatever it had opened. */
async function open(): Promise<Capture> {
  let stream: MediaStream | null = null;
  let ctx: AudioContext | null = null;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia(DISPLAY_MEDIA);
    for (const t of stream.getVideoTracks()) { t.stop(); stream.removeTrack(t); }
    if (stream.getAudioTracks().length === 0) throw new Error('the system gave no audio track');
    ctx = new AudioContext();
    await ctx.audioWorklet.addModule(WORKLET_URL);
    const node = new AudioWorkletNode(ctx, 'pcm-tap', {
      numberOfInputs: 1, numberOfOutputs: 0, channelCount: CHANNELS, channelCountMode: 'explicit',
    });
    ctx.createMediaStreamSource(stream).connect(node);
    return { ctx, stream, node };
  } catch (err) {
    await release(stream, ctx);
    throw err;
  }
}

async function start(b: CaptureBridge): Promise<void> {
  if (current || opening) return;
  const gen = generation;
  opening = true;
  let capture: Capture;
  try {
    capture = await open();
  } catch (err) {
    if (gen === generation) b.status({ state: 'error', message: errorText(err) });
    return;
  } finally {
    opening = false;
  }
  if (gen !== generation) {
    await release(capture.stream, capture.ctx);
    return;
  }
  current = capture;
  // The port holds blocks until onmessage starts it; none is sent after this capture ends.
  const sampleRate = capture.ctx.sampleRate;
  let seq = 0;
  capture.node.port.onmessage = (e: MessageEvent<Float32Array>) => {
    if (current === capture) b.chunk({ seq: seq++, sampleRate, channels: CHANNELS, data: e.data });
  };
  // The system can end the capture (display unplugged, permission revoked); main must hear
  // of it rather than wait on a source that went silent. A track we stop ourselves never fires this.
  for (const t of capture.stream.getAudioTracks()) {
    t.addEventListener('ended', () => { if (current === capture) void stop(b); });
  }
  b.status({ state: 'started', sampleRate, channels: CHANNELS });
}

async function stop(b: CaptureBridge): Promise<void> {
  generation++;
  const c = current;
  current = null;
  if (!c) return;
  await release(c.stream, c.ctx);
  b.status({ state: 'stopped' });
}

if (bridge) {
  bridge.on('capture:command', (cmd) => {
    void (cmd.action === 'start' ? start(bridge) : stop(bridge));
  });
}

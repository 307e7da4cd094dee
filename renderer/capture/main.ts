/**
 * Hidden capture page (Windows/macOS system audio). Main answers this page's getDisplayMedia
 * with Chromium's loopback audio; the worklet slices it into float blocks that go to main,
 * where LoopbackAudioSource feeds the captioning pipeline.
 */
import { BRIDGE_GLOBAL, type CaptureBridge } from '../../shared/ipc-contract.js';

const CHANNELS = 2;
const bridge = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as CaptureBridge | undefined;

let running: { ctx: AudioContext; stream: MediaStream } | null = null;
let seq = 0;

async function start(b: CaptureBridge): Promise<void> {
  if (running) return;
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    // Chromium insists on a video track for display media; it is not needed.
    for (const t of stream.getVideoTracks()) { t.stop(); stream.removeTrack(t); }
    if (stream.getAudioTracks().length === 0) throw new Error('the system gave no audio track');
    const ctx = new AudioContext();
    await ctx.audioWorklet.addModule(new URL('./pcm-tap.worklet.js', import.meta.url));
    const node = new AudioWorkletNode(ctx, 'pcm-tap', {
      numberOfInputs: 1, numberOfOutputs: 0, channelCount: CHANNELS, channelCountMode: 'explicit',
    });
    node.port.onmessage = (e: MessageEvent<Float32Array>) => {
      b.chunk({ seq: seq++, sampleRate: ctx.sampleRate, channels: CHANNELS, data: e.data });
    };
    ctx.createMediaStreamSource(stream).connect(node);
    running = { ctx, stream };
    seq = 0;
    b.status({ state: 'started', sampleRate: ctx.sampleRate, channels: CHANNELS });
  } catch (err) {
    b.status({ state: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

async function stop(b: CaptureBridge): Promise<void> {
  const r = running;
  running = null;
  if (!r) return;
  for (const t of r.stream.getTracks()) t.stop();
  await r.ctx.close().catch(() => undefined);
  b.status({ state: 'stopped' });
}

if (bridge) {
  bridge.on('capture:command', (cmd) => {
    void (cmd.action === 'start' ? start(bridge) : stop(bridge));
  });
}

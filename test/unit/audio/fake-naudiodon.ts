/** A stand-in for the naudiodon2 add-on: lists given devices, records how streams were opened. */
import { EventEmitter } from 'node:events';
import type { NaDeviceInfo, NaInOptions, NaInputStream, NaudiodonBinding } from '../../../main/audio/naudiodon-binding.js';

export class FakeStream extends EventEmitter implements NaInputStream {
  started = false;
  quitCalls = 0;
  abortCalls = 0;
  constructor(
    readonly options: NaInOptions,
    /** PULSE_SOURCE as the native side would have seen it while opening. */
    readonly pulseSourceAtOpen: string | undefined,
    private readonly hangOnQuit: boolean,
  ) {
    super();
  }
  start(): void {
    this.started = true;
  }
  /** The native quit's callback, held while the driver "hangs". */
  pendingQuit: (() => void) | null = null;
  quit(cb?: () => void): void {
    this.quitCalls++;
    if (!this.hangOnQuit) setImmediate(() => cb?.());
    else this.pendingQuit = cb ?? null;
  }
  abort(cb?: () => void): void {
    this.abortCalls++;
    setImmediate(() => cb?.());
  }
}

export const TWO_DEVICES: NaDeviceInfo[] = [
  { id: 0, name: 'HDA Intel PCH: ALC257 Analog (hw:0,0)', maxInputChannels: 2, maxOutputChannels: 2, defaultSampleRate: 44100, hostAPIName: 'ALSA' },
  { id: 1, name: 'HDMI 0', maxInputChannels: 0, maxOutputChannels: 8, defaultSampleRate: 48000, hostAPIName: 'ALSA' },
  { id: 2, name: 'USB Microphone: Audio (hw:1,0)', maxInputChannels: 1, maxOutputChannels: 0, defaultSampleRate: 48000, hostAPIName: 'ALSA' },
  { id: 3, name: 'pulse', maxInputChannels: 32, maxOutputChannels: 32, defaultSampleRate: 44100, hostAPIName: 'ALSA' },
  { id: 4, name: 'default', maxInputChannels: 32, maxOutputChannels: 32, defaultSampleRate: 44100, hostAPIName: 'ALSA' },
];

export class FakeNaudiodon implements NaudiodonBinding {
  streams: FakeStream[] = [];
  failOpen: Error | null = null;
  hangOnQuit = false;
  constructor(
    private readonly devices: NaDeviceInfo[] = TWO_DEVICES,
    private readonly defaultInput = 4,
  ) {}
  /** getDevices calls made while a stream's quit had not called back (a crash in the real add-on). */
  listedWhileClosing = 0;
  getDevices(): NaDeviceInfo[] {
    if (this.streams.some((s) => s.pendingQuit !== null)) this.listedWhileClosing++;
    return this.devices;
  }
  getHostAPIs() {
    return { defaultHostAPI: 0, HostAPIs: [{ id: 0, name: 'ALSA', defaultInput: this.defaultInput }] };
  }
  AudioIO(options: { inOptions: NaInOptions }): NaInputStream {
    if (this.failOpen) throw this.failOpen;
    const s = new FakeStream(options.inOptions, process.env.PULSE_SOURCE, this.hangOnQuit);
    this.streams.push(s);
    return s;
  }
  get last(): FakeStream {
    return this.streams[this.streams.length - 1];
  }
  loader = async (): Promise<NaudiodonBinding> => this;
}

/**
 * The shape of naudiodon2 that Earshot uses, so the source can be driven by a fake in tests.
 * Type-only: the one module that loads the native add-on is portaudio-source.ts.
 */
import type { EventEmitter } from 'node:events';

export interface NaDeviceInfo {
  id: number;
  name: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  defaultSampleRate: number;
  hostAPIName: string;
}

export interface NaHostApis {
  defaultHostAPI: number;
  HostAPIs: Array<{ id: number; name: string; defaultInput: number }>;
}

export interface NaInOptions {
  deviceId: number;
  sampleRate: number;
  channelCount: number;
  sampleFormat: 16;
  maxQueue: number;
  framesPerBuffer: number;
  highwaterMark: number;
  closeOnError: boolean;
}

/** A naudiodon input stream: a byte Readable plus start/quit. */
export interface NaInputStream extends EventEmitter {
  start(): void;
  quit(cb?: () => void): void;
  abort(cb?: () => void): void;
}

export interface NaudiodonBinding {
  getDevices(): NaDeviceInfo[];
  getHostAPIs(): NaHostApis;
  AudioIO(options: { inOptions: NaInOptions }): NaInputStream;
}

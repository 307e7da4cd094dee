/**
 * The shape of naudiodon2 that Earshot uses, so the source can be driven by a fake in tests, and
 * the small stream wrapper its index.js provided. Nothing here loads the add-on: the one module
 * that does is portaudio-source.ts.
 */
import type { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';

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

/**
 * What naudiodon.node itself exports (N-API). naudiodon2's index.js wraps it in a stream and, as a
 * side effect, registers segfault-handler (a NAN add-on that writes crash.log into the working
 * directory and would need rebuilding for Electron), so Earshot loads the .node directly and
 * keeps only the part of index.js it uses: inputStream() below.
 */
export interface NaNativeAddon {
  getDevices(): NaDeviceInfo[];
  getHostAPIs(): NaHostApis;
  create(options: { inOptions: NaInOptions }): NaNativeAudioIO;
}

interface NaNativeAudioIO {
  /** Resolves when `size` bytes are queued, the stream finished, or the driver reported an error. */
  read(size: number): Promise<{ err?: string; finished?: boolean; buf?: Buffer }>;
  start(): void;
  /** Takes exactly one argument (a callback would make it throw). Also closes the stream. */
  quit(mode: 'WAIT' | 'ABORT'): Promise<void>;
}

/** A NaudiodonBinding over the raw add-on: index.js's AudioIO for input streams only. */
export function bindingFromAddon(addon: NaNativeAddon): NaudiodonBinding {
  return {
    getDevices: () => addon.getDevices(),
    getHostAPIs: () => addon.getHostAPIs(),
    AudioIO: (options) => inputStream(addon.create(options), options.inOptions.highwaterMark),
  };
}

function inputStream(io: NaNativeAudioIO, highWaterMark: number): NaInputStream {
  const stream = new Readable({
    highWaterMark,
    read() {
      io.read(highWaterMark).then(
        (r) => {
          if (r.err) stream.destroy(new Error(r.err));
          else stream.push(r.finished ? null : r.buf);
        },
        (err: unknown) => stream.destroy(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
  const settle = (done: Promise<void>, cb?: () => void) =>
    void done.then(
      () => cb?.(),
      () => cb?.(),
    );
  return Object.assign(stream, {
    start: () => io.start(),
    quit: (cb?: () => void) => settle(io.quit('WAIT'), cb),
    abort: (cb?: () => void) => settle(io.quit('ABORT'), cb),
  });
}

/** Source PCM (any supported format) → mono int16 at the speech service's rate. */
import { bytesPerSample, decodeToFloat, downmixToMono, floatToInt16 } from './pcm.js';
import { EarshotError } from '../../shared/errors.js';
import { ResampleLimitError } from './resampler-design.js';
import { Resampler } from './resampler.js';
import type { AudioFormat } from './types.js';

export interface Converter {
  /** Any number of bytes; a partial frame at the end is kept for the next call. */
  push(chunk: Uint8Array): Int16Array;
  /** End of stream: emits what the resampler held back, drops a trailing partial frame. */
  flush(): Int16Array;
  /** Bytes of a trailing partial frame dropped by flush() (0 for well-formed input). */
  readonly droppedBytes: number;
}

export function createConverter(format: AudioFormat, outRate: number): Converter {
  validate(format, outRate);
  const frameBytes = bytesPerSample(format.sampleFormat) * format.channels;
  const passthrough = format.sampleFormat === 's16' && format.channels === 1 && format.sampleRate === outRate;
  const resampler = createResampler(format.sampleRate, outRate);
  let carry: Uint8Array = new Uint8Array(0);
  let droppedBytes = 0;

  const wholeFrames = (chunk: Uint8Array): Uint8Array => {
    let bytes = chunk;
    if (carry.length) {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
    }
    const usable = bytes.length - (bytes.length % frameBytes);
    // Copy the remainder (the caller may reuse its buffer; Buffer#slice would not copy).
    carry = Uint8Array.prototype.slice.call(bytes, usable);
    return bytes.subarray(0, usable);
  };

  return {
    push(chunk) {
      const bytes = wholeFrames(chunk);
      if (passthrough) return copyS16(bytes);
      const mono = downmixToMono(decodeToFloat(bytes, format.sampleFormat), format.channels);
      return floatToInt16(resampler.push(mono));
    },
    flush() {
      droppedBytes += carry.length;
      carry = new Uint8Array(0);
      return passthrough ? new Int16Array(0) : floatToInt16(resampler.flush());
    },
    get droppedBytes() {
      return droppedBytes;
    },
  };
}

/** s16le bytes → Int16Array, bit-exact, in a fresh aligned buffer the caller owns. */
function copyS16(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  new Uint8Array(out.buffer).set(bytes);
  if (!isLittleEndian) for (let i = 0; i < out.length; i++) out[i] = ((out[i] & 0xff) << 8) | ((out[i] >> 8) & 0xff);
  return out;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function createResampler(inRate: number, outRate: number): Resampler {
  try {
    return new Resampler(inRate, outRate);
  } catch (err) {
    if (!(err instanceof ResampleLimitError)) throw err;
    throw new EarshotError('WAV_UNSUPPORTED', `${err.message}; a sample rate of ${inRate} Hz is most likely a damaged header. Convert the audio first, for example: ffmpeg -i input.wav -ac 1 -ar ${outRate} -c:a pcm_s16le output.wav`);
  }
}

function validate(format: AudioFormat, outRate: number): void {
  const ok = (n: number) => Number.isInteger(n) && n > 0;
  if (!ok(format.sampleRate) || !ok(outRate) || !ok(format.channels)) {
    throw new RangeError(`cannot convert ${format.sampleRate} Hz × ${format.channels} ch to ${outRate} Hz`);
  }
}

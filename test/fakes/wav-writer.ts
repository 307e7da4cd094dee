/** Writes test WAV files: 16-bit PCM from int16 samples, any rate and channel count. */
import { writeFileSync } from 'node:fs';

export function wavBytes(interleaved: Int16Array, rate: number, channels: number): Buffer {
  const data = Buffer.from(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export function writeWav(path: string, interleaved: Int16Array, rate: number, channels: number): void {
  writeFileSync(path, wavBytes(interleaved, rate, channels));
}

/** Duplicates a mono signal into `channels` channels with slightly different gains. */
export function toMultichannel(mono: Int16Array, channels: number): Int16Array {
  const out = new Int16Array(mono.length * channels);
  for (let i = 0; i < mono.length; i++) {
    for (let c = 0; c < channels; c++) out[i * channels + c] = Math.round(mono[i]! * (1 - 0.05 * c));
  }
  return out;
}

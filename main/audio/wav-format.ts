/** The WAVE "fmt " chunk: which formats Earshot reads, and what to tell a person about the rest. */
import { EarshotError } from '../../shared/errors.js';
import type { AudioFormat, SampleFormat } from './types.js';

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
export const MAX_CHANNELS = 8;
/**
 * Sample rates read. Below 1 kHz a header is broken, not speech (a rate of a few Hz once made
 * one 64 KiB read resample into gigabytes); above 384 kHz no audio interface records.
 */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 384_000;

export interface WavFmt {
  format: AudioFormat;
  /** The effective tag (for WAVE_FORMAT_EXTENSIBLE, the sub-format's). */
  formatTag: number;
  extensible: boolean;
  bitsPerSample: number;
  blockAlign: number;
}

/** Names of common compressed formats, so the error says what the file actually is. */
const COMPRESSED: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0022: 'DSP TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x0162: 'Windows Media Audio Pro',
  0x0163: 'Windows Media Audio Lossless',
  0x1610: 'HE-AAC',
  0x2000: 'Dolby AC-3',
  0x2001: 'DTS',
  0x6750: 'Ogg Vorbis',
  0xf1ac: 'FLAC',
};

export function conversionHint(file: string): string {
  return `ffmpeg -i "${file}" -ac 1 -ar 16000 -c:a pcm_s16le out.wav`;
}

export function unsupported(file: string, what: string): EarshotError {
  return new EarshotError(
    'WAV_UNSUPPORTED',
    `${file}: ${what}`,
    `Earshot cannot read "${file}": ${what}. It reads PCM WAV (8/16/24/32-bit integer or 32-bit float, ` +
      `1-${MAX_CHANNELS} channels, ${MIN_SAMPLE_RATE}-${MAX_SAMPLE_RATE} Hz). Convert it first, for example: ${conversionHint(file)}`,
  );
}

export function corrupt(file: string, what: string): EarshotError {
  return new EarshotError('WAV_CORRUPT', `${file}: ${what}`);
}

export function parseFmt(body: Uint8Array, file: string): WavFmt {
  if (body.length < 16) throw corrupt(file, `the fmt chunk is ${body.length} bytes, at least 16 are needed`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const byteRate = v.getUint32(8, true);
  const blockAlign = v.getUint16(12, true);
  const bits = v.getUint16(14, true);
  const extensible = tag === WAVE_FORMAT_EXTENSIBLE;
  if (extensible) {
    // cbSize(2) validBits(2) channelMask(4) then the sub-format GUID, whose first two bytes are the tag.
    if (body.length < 40) throw corrupt(file, 'WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes');
    const cbSize = v.getUint16(16, true);
    if (cbSize < 22 || 18 + cbSize > body.length) throw corrupt(file, `the WAVE_FORMAT_EXTENSIBLE extension claims ${cbSize} bytes, the fmt chunk holds ${body.length - 18}`);
    const validBits = v.getUint16(18, true);
    if (validBits > bits) throw corrupt(file, `${validBits} valid bits in ${bits}-bit samples`);
    tag = v.getUint16(24, true);
  }

  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = COMPRESSED[tag] ?? 'an unknown encoding';
    throw unsupported(file, `it is compressed with ${name} (format tag 0x${tag.toString(16).padStart(4, '0')})`);
  }
  if (channels === 0) throw corrupt(file, 'the fmt chunk says 0 channels');
  if (channels > MAX_CHANNELS) throw unsupported(file, `it has ${channels} channels (at most ${MAX_CHANNELS})`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    // The byte rate is redundant (rate × block align); when it points at a sane rate, say so.
    const implied = blockAlign > 0 && byteRate % blockAlign === 0 ? byteRate / blockAlign : 0;
    const hint = implied >= MIN_SAMPLE_RATE && implied <= MAX_SAMPLE_RATE && implied !== sampleRate ? `; its byte rate suggests ${implied} Hz, so the header is probably damaged` : '';
    throw unsupported(file, `its sample rate is ${sampleRate} Hz (${MIN_SAMPLE_RATE}-${MAX_SAMPLE_RATE} Hz are read)${hint}`);
  }

  let sampleFormat: SampleFormat;
  if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits !== 32) throw unsupported(file, `it holds ${bits}-bit floating-point samples (only 32-bit float is read)`);
    sampleFormat = 'f32';
  } else {
    const byBits: Record<number, SampleFormat> = { 8: 'u8', 16: 's16', 24: 's24', 32: 's32' };
    const f = byBits[bits];
    if (!f) throw unsupported(file, `it holds ${bits}-bit integer samples (8, 16, 24 or 32 are read)`);
    sampleFormat = f;
  }
  const expectedAlign = (channels * bits) / 8;
  if (blockAlign !== expectedAlign) {
    throw corrupt(file, `bad block align ${blockAlign} (expected ${expectedAlign} for ${channels} × ${bits}-bit)`);
  }
  // A byte rate that disagrees with rate × block align is ignored, as ffmpeg and sox do: it is
  // not used for reading, and the sample rate above is already within bounds.
  return { format: { sampleRate, channels, sampleFormat }, formatTag: tag, extensible, bitsPerSample: bits, blockAlign };
}

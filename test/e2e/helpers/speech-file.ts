/** Shared by the real-capture tests: the reference recording and small async helpers. */
import { createConverter } from '../../../main/audio/converter.js';
import { WavFileSource } from '../../../main/audio/wav-file-source.js';
import { concatPcm } from '../../fakes/pcm.js';

/** Public-domain LibriVox speech shipped by Debian's pocketsphinx-testdata. */
export const SPEECH = '/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav';
export const RATE = 16000;

export { concatPcm as concat } from '../../fakes/pcm.js';

/** The file as the pipeline sees it: 16 kHz mono int16. */
export async function readFile16k(path: string): Promise<Int16Array> {
  const src = new WavFileSource(path);
  const conv = createConverter(await src.open(), RATE);
  const parts: Int16Array[] = [];
  for await (const c of src.chunks()) parts.push(conv.push(c));
  parts.push(conv.flush());
  return concatPcm(parts);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

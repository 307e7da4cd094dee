/**
 * How audio leaves the codecs. Binary providers get the samples' bytes; OpenAI's realtime
 * API takes them as base64 inside JSON events, and Together copied those events (§2, §4).
 */

/**
 * The samples' bytes as a copy: the session may reuse its buffer while the socket still
 * holds the frame.
 */
export function pcmBytes(pcm: Int16Array): Uint8Array {
  return new Uint8Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
}

/** `input_audio_buffer.append` carrying the samples. */
export function appendAudioEvent(pcm: Int16Array): string {
  const audio = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
  return JSON.stringify({ type: 'input_audio_buffer.append', audio });
}

/** `input_audio_buffer.commit`: transcribe what was appended since the last commit. */
export const COMMIT_EVENT = JSON.stringify({ type: 'input_audio_buffer.commit' });

/** The pre-recorded services Earshot can send a recording to, by provider id. */
import { fireworksPrerecorded } from './fireworks-service.js';
import { openaiPrerecorded, togetherPrerecorded } from './openai-compatible-services.js';
import type { PrerecordedService } from './types.js';

export const PRERECORDED_SERVICES: Readonly<Record<string, PrerecordedService>> = {
  fireworks: fireworksPrerecorded,
  together: togetherPrerecorded,
  openai: openaiPrerecorded,
};

/** Streaming providers without a pre-recorded service here, and why (for the CLI's message). */
export const NO_PRERECORDED: Readonly<Record<string, string>> = {
  assemblyai: 'AssemblyAI transcribes files through an upload, a job and polling, which Earshot does not do yet',
  deepgram: 'Deepgram takes files as a raw request body, which Earshot does not do yet',
};

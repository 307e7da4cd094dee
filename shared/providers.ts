/**
 * Static facts about each speech-to-text provider that every layer (CLI, settings UI,
 * README) needs. The wire protocol lives in main/stt/providers/<id>/.
 */
export const PROVIDER_IDS = ['fireworks', 'together', 'assemblyai', 'openai', 'deepgram'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface ProviderInfo {
  id: ProviderId;
  label: string;
  /** Environment variable the CLI reads the key from. */
  keyEnv: string;
  models: readonly string[];
  defaultModel: string;
  /** Sample rate the provider is fed (the core resamples to it). */
  sampleRate: number;
  /** Allowed audio frame sizes in milliseconds. */
  frameMs: { min: number; max: number; default: number };
  /**
   * Whether the service can be left to detect the spoken language (settings' "Detect
   * automatically", --language auto). Together's Whisper translates to English without a
   * language (stt-protocols.md §6 #16); Deepgram's streaming API takes a language or `multi`.
   */
  detectsLanguage: boolean;
  /**
   * Whether the streaming API tells speakers apart while captioning (diarisation): lines then
   * carry "Speaker A", "Speaker B"… Nothing is guessed on Earshot's side, so a provider
   * without it is refused when speaker labels are asked for.
   */
  liveSpeakerLabels: boolean;
  /** Why a provider has no live speaker labels, for Settings, --help and the refusal. */
  noSpeakerLabelsWhy?: string;
}

export const PROVIDERS: Record<ProviderId, ProviderInfo> = {
  fireworks: {
    id: 'fireworks',
    label: 'Fireworks AI',
    keyEnv: 'FIREWORKS_API_KEY',
    models: ['fireworks-asr-large', 'fireworks-asr-v2'],
    defaultModel: 'fireworks-asr-large',
    sampleRate: 16000,
    frameMs: { min: 50, max: 400, default: 50 },
    detectsLanguage: true,
    liveSpeakerLabels: false,
    noSpeakerLabelsWhy: 'its streaming API sends no speaker labels',
  },
  together: {
    id: 'together',
    label: 'Together AI',
    keyEnv: 'TOGETHER_API_KEY',
    models: ['openai/whisper-large-v3'],
    defaultModel: 'openai/whisper-large-v3',
    sampleRate: 16000,
    frameMs: { min: 100, max: 256, default: 100 },
    detectsLanguage: false,
    liveSpeakerLabels: false,
    noSpeakerLabelsWhy: 'its realtime transcription sends no speaker labels',
  },
  assemblyai: {
    id: 'assemblyai',
    label: 'AssemblyAI',
    keyEnv: 'ASSEMBLYAI_API_KEY',
    models: ['universal-streaming-english', 'universal-streaming-multilingual', 'u3-rt-pro'],
    defaultModel: 'universal-streaming-english',
    sampleRate: 16000,
    frameMs: { min: 50, max: 1000, default: 50 },
    detectsLanguage: true,
    liveSpeakerLabels: true,
  },
  openai: {
    id: 'openai',
    label: 'OpenAI Realtime',
    keyEnv: 'OPENAI_API_KEY',
    models: ['gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'whisper-1', 'gpt-realtime-whisper'],
    defaultModel: 'gpt-4o-transcribe',
    sampleRate: 24000,
    frameMs: { min: 20, max: 500, default: 50 },
    detectsLanguage: true,
    liveSpeakerLabels: false,
    noSpeakerLabelsWhy: 'its Realtime transcription sends no speaker labels (its diarising model takes recordings only)',
  },
  deepgram: {
    id: 'deepgram',
    label: 'Deepgram',
    keyEnv: 'DEEPGRAM_API_KEY',
    models: ['nova-3', 'nova-2'],
    defaultModel: 'nova-3',
    sampleRate: 16000,
    frameMs: { min: 20, max: 250, default: 50 },
    detectsLanguage: false,
    liveSpeakerLabels: true,
  },
};

/** Providers whose streaming API labels speakers live, in table order. */
export function speakerLabelProviders(): ProviderInfo[] {
  return PROVIDER_IDS.map((id) => PROVIDERS[id]).filter((p) => p.liveSpeakerLabels);
}

/**
 * Why speaker labels cannot be had from `id`, naming the providers that can, e.g.
 * "Fireworks AI cannot label speakers live: … AssemblyAI and Deepgram can". Undefined when it can.
 */
export function speakerLabelsRefusal(id: ProviderId): string | undefined {
  const p = PROVIDERS[id];
  if (p.liveSpeakerLabels) return undefined;
  const able = speakerLabelProviders().map((q) => q.label);
  const list = able.length > 1 ? `${able.slice(0, -1).join(', ')} and ${able[able.length - 1]}` : able.join('');
  return `${p.label} cannot label speakers live: ${p.noSpeakerLabelsWhy ?? 'its streaming API sends no speaker labels'}. ${list} can`;
}

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}

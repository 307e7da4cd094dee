/**
 * AssemblyAI Universal Streaming v3 (stt-protocols.md §3): URL and query parameters, raw-key
 * auth, and what each refusal or close code means (table in codec.ts, shared with `Error`).
 */
import { EarshotError } from '../../../../shared/errors.js';
import { PROVIDERS } from '../../../../shared/providers.js';
import { buildEndpointUrl } from '../../endpoint.js';
import type { CloseVerdict, ProviderOptions, ProviderSpec } from '../../provider.js';
import type { ConnectRequest } from '../../transport.js';
import { refusedInBand } from '../shared/close-verdicts.js';
import { checkExtra, inRange, isBool, promptTerms, type OptionCheck } from '../shared/extra-options.js';
import { AssemblyAiCodec, assemblyAiCodeMeaning } from './codec.js';

export const ASSEMBLYAI_URL = 'wss://streaming.assemblyai.com/v3/ws';
export const ASSEMBLYAI_EU_URL = 'wss://streaming.eu.assemblyai.com/v3/ws';

/** Options passed through `extra` (§3.2). Unknown names are refused: the server silently ignores them. */
const EXTRA_PARAMS: Record<string, OptionCheck> = {
  region: (v) => v === 'us' || v === 'eu',
  format_turns: isBool,
  end_of_turn_confidence_threshold: inRange(0, 1),
  min_turn_silence: inRange(0, 60_000),
  max_turn_silence: inRange(0, 60_000),
  vad_threshold: inRange(0, 1),
  filter_profanity: isBool,
  // At most this many speakers (1-10); only with speaker labels (checked in assemblyAiQuery).
  max_speakers: (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 10,
};

/** Observed limits of `keyterms_prompt` (§3.2): at most 100 terms of at most 50 characters. */
export function keyterms(prompt: string | undefined): string[] | undefined {
  const terms = promptTerms(prompt);
  if (terms.length === 0) return undefined;
  if (terms.length > 100) throw new EarshotError('BAD_ARGUMENT', `AssemblyAI takes at most 100 key terms, got ${terms.length}`);
  const long = terms.find((t) => t.length > 50);
  if (long) throw new EarshotError('BAD_ARGUMENT', `AssemblyAI key terms are at most 50 characters: "${long.slice(0, 60)}"`);
  return terms;
}

/** Query parameters for a link, without the key. */
export function assemblyAiQuery(options: ProviderOptions): Record<string, string | undefined> {
  const { region: _region, ...extra } = checkExtra('AssemblyAI', options.extra, EXTRA_PARAMS);
  const model = options.model || PROVIDERS.assemblyai.defaultModel;
  const terms = keyterms(options.prompt);
  const lang = options.language;
  if (extra.max_speakers !== undefined && !options.speakerLabels) {
    throw new EarshotError('BAD_ARGUMENT', 'AssemblyAI option max_speakers only applies when speaker labels are on');
  }
  return {
    // Required, and omitting it silently selected another model (§6 #12); exactly once (§6 #11).
    speech_model: model,
    sample_rate: String(PROVIDERS.assemblyai.sampleRate),
    encoding: 'pcm_s16le',
    keyterms_prompt: terms ? JSON.stringify(terms) : undefined,
    language_detection: lang ? undefined : 'true',
    // Steering for the multilingual models; the English model needs none (unknown params are ignored).
    language_codes: lang && model !== 'universal-streaming-english' ? JSON.stringify([lang]) : undefined,
    // Diarisation (§3.2): every Turn then names its speaker, and SpeakerRevision may follow.
    speaker_labels: options.speakerLabels ? 'true' : undefined,
    ...extra,
  };
}

export const assemblyAiSpec: ProviderSpec = {
  ...PROVIDERS.assemblyai,
  waitForReady: true,
  // Terminate → in-flight Turns → Termination; the SDK gives up after 5 s (§3.6).
  flushTimeoutMs: 5000,
  clientClosesAfterFlush: false,
  keepAliveMs: 0,

  connectRequest(options: ProviderOptions): ConnectRequest {
    if (!options.apiKey) throw new EarshotError('KEY_MISSING', PROVIDERS.assemblyai.keyEnv);
    const base = options.endpoint || (options.extra?.region === 'eu' ? ASSEMBLYAI_EU_URL : ASSEMBLYAI_URL);
    return {
      url: buildEndpointUrl(base, assemblyAiQuery(options)),
      // The raw key, no "Bearer" (§3.1, §6 #11).
      headers: { Authorization: options.apiKey },
    };
  },

  createCodec(options: ProviderOptions): AssemblyAiCodec {
    const formatTurns = options.extra?.format_turns === 'true';
    return new AssemblyAiCodec({ ...options, formatTurns });
  },

  classifyHandshake(status: number): CloseVerdict {
    // The Python SDK treats HTTP refusals as fatal (§3.5); a 429 or 5xx can pass.
    if (status === 401 || status === 403 || status === 402) return { code: 'AUTH_REFUSED', retryable: false };
    if (status === 429) return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 30_000 };
    if (status >= 400 && status < 500) return { code: 'CONFIG_REJECTED', retryable: false };
    return { code: 'HANDSHAKE_FAILED', retryable: true };
  },

  classifyClose(code: number, reason: string, lastError): CloseVerdict {
    const meaning = assemblyAiCodeMeaning(code, reason);
    // The `Error` frame comes just before the close and explains it (the reason is cut at 123 bytes).
    const refused = refusedInBand(lastError);
    if (refused) return refused;
    const verdict: CloseVerdict = { code: meaning.code, retryable: meaning.retryable };
    if (meaning.minDelayMs !== undefined) verdict.minDelayMs = meaning.minDelayMs;
    return verdict;
  },
};

/**
 * Together realtime transcription (stt-protocols.md §2): URL, auth, VAD settings and what
 * each refusal or close means. The codec is in codec.ts.
 */
import { EarshotError } from '../../../../shared/errors.js';
import { PROVIDERS } from '../../../../shared/providers.js';
import { buildEndpointUrl } from '../../endpoint.js';
import type { CloseVerdict, ProviderOptions, ProviderSpec } from '../../provider.js';
import type { ConnectRequest } from '../../transport.js';
import { isServerTrouble, refusedInBand } from '../shared/close-verdicts.js';
import { checkExtra, inRange, isFiniteNumber, type OptionCheck } from '../shared/extra-options.js';
import { TogetherCodec } from './codec.js';

export const TOGETHER_URL = 'wss://api.together.ai/v1/realtime';

/**
 * Server VAD query parameters (VAD guide, §2.1). The documented default cuts speech every
 * 5 s, which chops caption lines mid-sentence; 15 s lets a sentence finish.
 */
export const TOGETHER_VAD_DEFAULTS: Readonly<Record<string, string>> = { max_speech_duration_s: '15' };

const VAD_PARAMS: Record<string, OptionCheck> = {
  turn_detection: (v) => v === 'server_vad' || v === 'none',
  threshold: inRange(0, 1),
  min_silence_duration_ms: inRange(0),
  min_speech_duration_ms: inRange(0),
  max_speech_duration_s: (v) => isFiniteNumber(v) && Number(v) > 0,
  speech_pad_ms: inRange(0),
};

/** Query parameters for a link, without the key. Exported for tests and the README table. */
export function togetherQuery(options: ProviderOptions): Record<string, string | undefined> {
  const vad: Record<string, string> = { ...TOGETHER_VAD_DEFAULTS, ...checkExtra('Together', options.extra, VAD_PARAMS) };
  return {
    model: options.model || PROVIDERS.together.defaultModel,
    input_audio_format: 'pcm_s16le_16000',
    // Not in the realtime docs, but without it Whisper translated other languages into English (§6 #16).
    language: options.language || undefined,
    ...vad,
  };
}

const FATAL_CLIENT = new Set([1002, 1003, 1007, 1009, 1010]);

export const togetherSpec: ProviderSpec = {
  ...PROVIDERS.together,
  waitForReady: true,
  // Coval waits up to 5 s for the last `completed` after the commit (§2.4).
  flushTimeoutMs: 5000,
  // The server never closes the socket (§2.4).
  clientClosesAfterFlush: true,
  keepAliveMs: 0,

  connectRequest(options: ProviderOptions): ConnectRequest {
    if (!options.apiKey) throw new EarshotError('KEY_MISSING', PROVIDERS.together.keyEnv);
    return {
      url: buildEndpointUrl(options.endpoint || TOGETHER_URL, togetherQuery(options)),
      headers: { Authorization: `Bearer ${options.apiKey}` },
    };
  },

  createCodec(options: ProviderOptions): TogetherCodec {
    return new TogetherCodec(options);
  },

  classifyHandshake(status: number): CloseVerdict {
    // invalid_api_key / missing_api_key are documented as 401, model_not_available and a bad format as 400.
    if (status === 401 || status === 403) return { code: 'AUTH_REFUSED', retryable: false };
    if (status === 402) return { code: 'AUTH_REFUSED', retryable: false };
    if (status === 400 || status === 404 || status === 422) return { code: 'CONFIG_REJECTED', retryable: false };
    if (status === 429) return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 5000 };
    return { code: 'HANDSHAKE_FAILED', retryable: true };
  },

  classifyClose(code: number, _reason: string, lastError): CloseVerdict {
    // The in-band error says more than the close code (§7): a refused key must stop at once.
    const refused = refusedInBand(lastError);
    if (refused) return refused;
    if (code === 1008) return { code: 'AUTH_REFUSED', retryable: false };
    if (FATAL_CLIENT.has(code)) return { code: 'CLIENT_REJECTED', retryable: false };
    if (lastError === 'RATE_LIMITED') return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 5000 };
    if (isServerTrouble(code)) return { code: 'SERVER_ERROR', retryable: true };
    // Close codes are not documented; anything else (1006 drops, 1000/1001 mid-stream) reconnects.
    return { code: lastError === 'SERVER_ERROR' ? 'SERVER_ERROR' : 'NETWORK', retryable: true };
  },
};

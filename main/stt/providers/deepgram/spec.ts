/**
 * Deepgram live `/v1/listen` (stt-protocols.md §5): URL and query, `Token` auth, keepalive
 * timing and what refusals and closes mean.
 */
import { EarshotError } from '../../../../shared/errors.js';
import { PROVIDERS } from '../../../../shared/providers.js';
import { buildEndpointUrl } from '../../endpoint.js';
import type { CloseVerdict, ProviderOptions, ProviderSpec } from '../../provider.js';
import type { ConnectRequest } from '../../transport.js';
import { isServerTrouble, refusedInBand } from '../shared/close-verdicts.js';
import { checkExtra, isBool, promptTerms, type OptionCheck } from '../shared/extra-options.js';
import { DeepgramCodec } from './codec.js';

export const DEEPGRAM_URL = 'wss://api.deepgram.com/v1/listen';

const EXTRA_PARAMS: Record<string, OptionCheck> = {
  endpointing: (v) => v === 'false' || (/^\d+$/.test(v) && Number(v) <= 60_000),
  utterance_end_ms: (v) => /^\d+$/.test(v) && Number(v) >= 1000 && Number(v) <= 60_000,
  smart_format: isBool,
  punctuate: isBool,
  profanity_filter: isBool,
  filler_words: isBool,
};

/** Query parameters for a link, without the key. */
export function deepgramQuery(options: ProviderOptions): Record<string, string | string[] | undefined> {
  const extra = checkExtra('Deepgram', options.extra, EXTRA_PARAMS);
  const model = options.model || PROVIDERS.deepgram.defaultModel;
  const terms = promptTerms(options.prompt);
  return {
    model,
    encoding: 'linear16',
    sample_rate: String(PROVIDERS.deepgram.sampleRate),
    channels: '1',
    interim_results: 'true',
    punctuate: 'true',
    smart_format: 'true',
    // Earshot's choice for captions: a line ends after 300 ms of silence (Deepgram's default is very short).
    endpointing: '300',
    utterance_end_ms: '1000',
    language: options.language || undefined,
    // Streaming diarisation (§5): every word then carries `speaker` (0, 1…).
    diarize: options.speakerLabels ? 'true' : undefined,
    // Nova-3 takes `keyterm` (repeated); older models take `keywords`.
    ...(terms.length > 0 ? (model.startsWith('nova-3') ? { keyterm: terms } : { keywords: terms }) : {}),
    ...extra,
  };
}

export const deepgramSpec: ProviderSpec = {
  ...PROVIDERS.deepgram,
  waitForReady: false,
  // CloseStream → final Results → Metadata → close 1000.
  flushTimeoutMs: 5000,
  clientClosesAfterFlush: false,
  // Docs: a text KeepAlive every 3-5 s; 10 s without audio or KeepAlive closes with NET-0001.
  keepAliveMs: 4000,

  connectRequest(options: ProviderOptions): ConnectRequest {
    if (!options.apiKey) throw new EarshotError('KEY_MISSING', PROVIDERS.deepgram.keyEnv);
    return {
      url: buildEndpointUrl(options.endpoint || DEEPGRAM_URL, deepgramQuery(options)),
      headers: { Authorization: `Token ${options.apiKey}` },
    };
  },

  createCodec(options: ProviderOptions): DeepgramCodec {
    return new DeepgramCodec(options);
  },

  classifyHandshake(status: number): CloseVerdict {
    if (status === 401 || status === 402 || status === 403) return { code: 'AUTH_REFUSED', retryable: false };
    if (status === 400) return { code: 'CONFIG_REJECTED', retryable: false };
    if (status === 429) return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 10_000 };
    return { code: 'HANDSHAKE_FAILED', retryable: true };
  },

  classifyClose(code: number, reason: string, lastError): CloseVerdict {
    const refused = refusedInBand(lastError);
    if (refused) return refused;
    // Idle close (§5): nothing arrived for 10 s. Reconnecting is right; it means a keepalive was missed.
    if (code === 1011 && /NET-0001/.test(reason)) return { code: 'LINK_STALLED', retryable: true };
    if (isServerTrouble(code)) return { code: 'SERVER_ERROR', retryable: true };
    // 1008 (e.g. DATA-0000, audio that cannot be decoded) and protocol errors: our bug, do not loop.
    if (code === 1008 || code === 1002 || code === 1003 || code === 1007) return { code: 'CLIENT_REJECTED', retryable: false };
    if (code >= 4000 && code < 5000) return { code: 'SERVER_ERROR', retryable: true };
    // 1006 drops, and a 1000 we did not ask for (only CloseStream should cause one).
    return { code: 'NETWORK', retryable: true };
  },
};

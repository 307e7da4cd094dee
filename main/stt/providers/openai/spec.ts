/**
 * OpenAI Realtime transcription (stt-protocols.md §4): URL (no model in it), Bearer auth, the
 * transcription session settings, and what refusals and closes mean.
 */
import { EarshotError } from '../../../../shared/errors.js';
import { PROVIDERS } from '../../../../shared/providers.js';
import { buildEndpointUrl } from '../../endpoint.js';
import type { CloseVerdict, ProviderOptions, ProviderSpec } from '../../provider.js';
import type { ConnectRequest } from '../../transport.js';
import { isServerTrouble, refusedInBand } from '../shared/close-verdicts.js';
import { checkExtra, inRange, type OptionCheck } from '../shared/extra-options.js';
import { MANUAL_COMMIT_MODELS, OpenAiCodec } from './codec.js';

export const OPENAI_URL = 'wss://api.openai.com/v1/realtime';

const EXTRA_PARAMS: Record<string, OptionCheck> = {
  turn_detection: (v) => v === 'server_vad' || v === 'semantic_vad' || v === 'none',
  threshold: inRange(0, 1),
  prefix_padding_ms: inRange(0, 10_000),
  silence_duration_ms: inRange(0, 10_000),
  noise_reduction: (v) => v === 'near_field' || v === 'far_field',
};

/** The server VAD settings of the reference's example (§4), or null for manual commits. */
export function openAiTurnDetection(model: string, extra: Record<string, string>): Record<string, unknown> | null {
  if (MANUAL_COMMIT_MODELS.includes(model) || extra.turn_detection === 'none') return null;
  if (extra.turn_detection === 'semantic_vad') return { type: 'semantic_vad' };
  return {
    type: 'server_vad',
    threshold: extra.threshold !== undefined ? Number(extra.threshold) : 0.5,
    prefix_padding_ms: extra.prefix_padding_ms !== undefined ? Number(extra.prefix_padding_ms) : 300,
    silence_duration_ms: extra.silence_duration_ms !== undefined ? Number(extra.silence_duration_ms) : 500,
  };
}

function checkedExtra(options: ProviderOptions): Record<string, string> {
  return checkExtra('OpenAI', options.extra, EXTRA_PARAMS);
}

export const openAiSpec: ProviderSpec = {
  ...PROVIDERS.openai,
  waitForReady: true,
  flushTimeoutMs: 8000,
  clientClosesAfterFlush: true,
  keepAliveMs: 0,

  connectRequest(options: ProviderOptions): ConnectRequest {
    if (!options.apiKey) throw new EarshotError('KEY_MISSING', PROVIDERS.openai.keyEnv);
    checkedExtra(options);
    // No `model=` here: on api.openai.com it selects a conversation session and the
    // transcription session.update is then refused with invalid_model (§4).
    return {
      url: buildEndpointUrl(options.endpoint || OPENAI_URL, { intent: 'transcription' }),
      headers: { Authorization: `Bearer ${options.apiKey}` },
    };
  },

  createCodec(options: ProviderOptions): OpenAiCodec {
    const extra = checkedExtra(options);
    const model = options.model || PROVIDERS.openai.defaultModel;
    return new OpenAiCodec({
      ...options,
      model,
      turnDetection: openAiTurnDetection(model, extra),
      noiseReduction: extra.noise_reduction,
    });
  },

  classifyHandshake(status: number): CloseVerdict {
    if (status === 401 || status === 403) return { code: 'AUTH_REFUSED', retryable: false };
    if (status === 429) return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 10_000 };
    if (status === 400 || status === 404) return { code: 'CONFIG_REJECTED', retryable: false };
    return { code: 'HANDSHAKE_FAILED', retryable: true };
  },

  classifyClose(code: number, _reason: string, lastError): CloseVerdict {
    // Close codes are not documented; the `error` event that precedes the close decides.
    const refused = refusedInBand(lastError);
    if (refused) return refused;
    if (code === 1008) return { code: 'AUTH_REFUSED', retryable: false };
    if (code === 1002 || code === 1003 || code === 1007 || code === 1009) return { code: 'CLIENT_REJECTED', retryable: false };
    if (lastError === 'RATE_LIMITED') return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 10_000 };
    if (lastError === 'SESSION_EXPIRED') return { code: 'SESSION_EXPIRED', retryable: true };
    if (isServerTrouble(code)) return { code: 'SERVER_ERROR', retryable: true };
    return { code: 'NETWORK', retryable: true };
  },
};

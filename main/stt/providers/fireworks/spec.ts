/**
 * Fireworks AI streaming transcription (stt-protocols.md §1): the model is chosen by the
 * host, all settings travel in the query, the raw key goes in the Authorization header.
 */
import { EarshotError, type ErrorCode } from '../../../../shared/errors.js';
import { PROVIDERS } from '../../../../shared/providers.js';
import { buildEndpointUrl } from '../../endpoint.js';
import type { CloseVerdict, ProviderOptions, ProviderSpec } from '../../provider.js';
import type { ConnectRequest } from '../../transport.js';
import { checkExtra, inRange, isBool, type OptionCheck } from '../shared/extra-options.js';
import { FireworksCodec } from './codec.js';

const PATH = '/v1/audio/transcriptions/streaming';

export const FIREWORKS_HOSTS: Record<string, string> = {
  'fireworks-asr-large': 'audio-streaming.api.fireworks.ai',
  'fireworks-asr-v2': 'audio-streaming-v2.api.fireworks.ai',
};

/**
 * Query parameters passed through `--option` (stt-protocols.md §1.3). Only these: the server
 * ignores names it does not know, so a typo would silently do nothing, and a name such as
 * response_format would break the protocol Earshot relies on.
 */
const EXTRA_PARAMS: Record<string, OptionCheck> = {
  skip_vad: isBool,
  // LiveKit's client-side range; the default of about 2 s leaves finals 2 s late.
  text_timeout_seconds: inRange(1, 29),
};

function defaultEndpoint(model: string): string {
  const host = FIREWORKS_HOSTS[model];
  if (!host) {
    throw new EarshotError('BAD_ARGUMENT', `unknown Fireworks model "${model}"; use ${Object.keys(FIREWORKS_HOSTS).join(' or ')}`);
  }
  return `wss://${host}${PATH}`;
}

function connectRequest(options: ProviderOptions): ConnectRequest {
  const key = options.apiKey?.trim();
  if (!key) throw new EarshotError('KEY_MISSING', 'Fireworks: set FIREWORKS_API_KEY or pass --api-key');
  const model = options.model || PROVIDERS.fireworks.defaultModel;
  const endpoint = options.endpoint || defaultEndpoint(model);
  const temperature = options.temperature;
  const url = buildEndpointUrl(endpoint, {
    ...checkExtra('Fireworks', options.extra, EXTRA_PARAMS),
    response_format: 'verbose_json',
    language: options.language,
    prompt: options.prompt,
    temperature: temperature === undefined || !Number.isFinite(temperature) ? undefined : temperature,
    timestamp_granularities: 'word,segment',
  });
  // Raw key, no "Bearer ": what every official sample sends (§1.2).
  return { url, headers: { Authorization: key } };
}

function classifyHandshake(status: number): CloseVerdict {
  if (status === 401 || status === 403) return { code: 'AUTH_REFUSED', retryable: false };
  if (status === 429) return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 5_000 };
  if (status === 400 || status === 422) return { code: 'CONFIG_REJECTED', retryable: false };
  if (status === 404) return { code: 'ENDPOINT_INVALID', retryable: false };
  return { code: 'HANDSHAKE_FAILED', retryable: true };
}

function classifyClose(code: number, _reason: string, lastError: ErrorCode | undefined): CloseVerdict {
  // Close codes are undocumented (§1.7): any close we did not ask for is worth a retry,
  // unless an in-band error already said the key is bad (that one is fatal on its own).
  if (lastError === 'AUTH_REFUSED') return { code: lastError, retryable: false };
  if (lastError) return { code: lastError, retryable: true };
  if (code === 1006 || code === 1001 || code === 1005) return { code: 'NETWORK', retryable: true };
  return { code: 'SERVER_ERROR', retryable: true };
}

export const fireworksSpec: ProviderSpec = {
  ...PROVIDERS.fireworks,
  waitForReady: false,
  flushTimeoutMs: 15_000,
  clientClosesAfterFlush: true,
  keepAliveMs: 0,
  connectRequest,
  createCodec: () => new FireworksCodec(),
  classifyHandshake,
  classifyClose,
};

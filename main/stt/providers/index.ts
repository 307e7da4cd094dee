/**
 * The provider registry: one line per provider. Everything else (session, pipeline, CLI,
 * settings) reaches providers only through getProvider().
 */
import { EarshotError } from '../../../shared/errors.js';
import { PROVIDER_IDS, type ProviderId } from '../../../shared/providers.js';
import type { ProviderSpec } from '../provider.js';
import { fireworksSpec } from './fireworks/spec.js';
import { togetherSpec } from './together/spec.js';
import { assemblyAiSpec } from './assemblyai/spec.js';
import { openAiSpec } from './openai/spec.js';
import { deepgramSpec } from './deepgram/spec.js';

const REGISTRY: Partial<Record<ProviderId, ProviderSpec>> = {
  fireworks: fireworksSpec,
  together: togetherSpec,
  assemblyai: assemblyAiSpec,
  openai: openAiSpec,
  deepgram: deepgramSpec,
};

/** Throws EarshotError('BAD_ARGUMENT') for a provider that is not built in. */
export function getProvider(id: ProviderId | string): ProviderSpec {
  const spec = REGISTRY[id as ProviderId];
  if (!spec) {
    throw new EarshotError('BAD_ARGUMENT', `unknown provider "${id}"; available: ${availableProviders().join(', ')}`);
  }
  return spec;
}

/** Providers that can be used, in the order of shared/providers.ts. */
export function availableProviders(): ProviderId[] {
  return PROVIDER_IDS.filter((id) => REGISTRY[id] !== undefined);
}

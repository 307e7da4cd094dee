/**
 * `--option` names are checked for every provider before anything connects: the services
 * ignore names they do not know, so an unchecked typo would silently do nothing. The check
 * runs in connectRequest, which StreamingSession calls in its constructor (before connecting).
 */
import { describe, expect, it } from 'vitest';
import { EarshotError } from '../../../../shared/errors.js';
import { PROVIDER_IDS } from '../../../../shared/providers.js';
import { getProvider } from '../../../../main/stt/providers/index.js';

function refusal(id: string, extra: Record<string, string>): EarshotError | undefined {
  try {
    getProvider(id).connectRequest({ apiKey: 'k-1234', extra });
  } catch (e) {
    if (e instanceof EarshotError) return e;
    throw e;
  }
  return undefined;
}

describe.each(PROVIDER_IDS)('%s --option names', (id) => {
  it.each(['vad', 'Threshold', 'turn-detection', 'regionx', '__proto__', 'constructor', 'toString', 'response_format', 'api_key'])(
    'refuses the unknown name %j as bad usage',
    (name) => {
      const e = refusal(id, { [name]: '1' });
      expect(e?.code).toBe('BAD_ARGUMENT');
    },
  );

  it.each([
    ['temperature', '--temperature'], ['language', '--language'], ['prompt', '--prompt'], ['model', '--model'],
  ])('refuses %j, which has its own flag, and names the flag', (name, flag) => {
    const e = refusal(id, { [name]: '0.5' });
    expect(e?.code).toBe('BAD_ARGUMENT');
    expect(e?.detail).toContain(flag);
  });

  it('accepts no options at all', () => {
    expect(refusal(id, {})).toBeUndefined();
  });
});

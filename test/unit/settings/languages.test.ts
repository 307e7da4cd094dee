import { describe, expect, it } from 'vitest';
import { languageName, languagesFor } from '../../../shared/languages.js';
import { PROVIDER_IDS, PROVIDERS } from '../../../shared/providers.js';

describe('languagesFor', () => {
  it('lists the 102 codes Fireworks documents, without duplicates', () => {
    const codes = languagesFor('fireworks').map((l) => l.code);
    expect(codes).toHaveLength(102);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(expect.arrayContaining(['en', 'yue', 'zh-hant', 'zh-hans', 'haw']));
  });

  it('gives the Whisper list (no zh-hant) to Whisper-based providers', () => {
    const codes = languagesFor('together').map((l) => l.code);
    expect(codes).toHaveLength(100);
    expect(codes).not.toContain('zh-hant');
  });

  it('narrows AssemblyAI by model', () => {
    expect(languagesFor('assemblyai', 'universal-streaming-english').map((l) => l.code)).toEqual(['en']);
    expect(languagesFor('assemblyai', 'universal-streaming-multilingual').map((l) => l.code)).toEqual(['en', 'es', 'fr', 'de', 'it', 'pt']);
  });

  it('names every code of every provider', () => {
    for (const p of PROVIDER_IDS) {
      for (const model of PROVIDERS[p].models) {
        for (const l of languagesFor(p, model)) expect(l.name, `${p} ${l.code}`).not.toBe(l.code);
      }
    }
    expect(languageName('de-CH')).toBe('German (Switzerland)');
  });
});

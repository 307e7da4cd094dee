/**
 * Languages each provider accepts, from the providers' own documentation:
 * - Fireworks (docs.fireworks.ai, audio transcription "Supported Languages"): the Whisper
 *   codes plus zh-hant / zh-hans, 102 in all.
 * - Together (whisper-large-v3) and OpenAI (ISO-639-1, Whisper family): the Whisper codes.
 * - AssemblyAI streaming: English only, or en/es/fr/de/it/pt for the multilingual models.
 * - Deepgram Nova-3: the monolingual codes from the models-and-languages overview, plus `multi`.
 * '' (auto / provider default) is always allowed and is not listed here.
 */
import { PROVIDERS, type ProviderId } from './providers.js';

export interface LanguageOption {
  code: string;
  name: string;
}

/** Whisper's language list in Whisper's own order (most data first), as Fireworks documents it. */
const WHISPER: readonly (readonly [string, string])[] = [
  ['en', 'English'], ['zh', 'Chinese'], ['de', 'German'], ['es', 'Spanish'], ['ru', 'Russian'],
  ['ko', 'Korean'], ['fr', 'French'], ['ja', 'Japanese'], ['pt', 'Portuguese'], ['tr', 'Turkish'],
  ['pl', 'Polish'], ['ca', 'Catalan'], ['nl', 'Dutch'], ['ar', 'Arabic'], ['sv', 'Swedish'],
  ['it', 'Italian'], ['id', 'Indonesian'], ['hi', 'Hindi'], ['fi', 'Finnish'], ['vi', 'Vietnamese'],
  ['he', 'Hebrew'], ['uk', 'Ukrainian'], ['el', 'Greek'], ['ms', 'Malay'], ['cs', 'Czech'],
  ['ro', 'Romanian'], ['da', 'Danish'], ['hu', 'Hungarian'], ['ta', 'Tamil'], ['no', 'Norwegian'],
  ['th', 'Thai'], ['ur', 'Urdu'], ['hr', 'Croatian'], ['bg', 'Bulgarian'], ['lt', 'Lithuanian'],
  ['la', 'Latin'], ['mi', 'Maori'], ['ml', 'Malayalam'], ['cy', 'Welsh'], ['sk', 'Slovak'],
  ['te', 'Telugu'], ['fa', 'Persian'], ['lv', 'Latvian'], ['bn', 'Bengali'], ['sr', 'Serbian'],
  ['az', 'Azerbaijani'], ['sl', 'Slovenian'], ['kn', 'Kannada'], ['et', 'Estonian'], ['mk', 'Macedonian'],
  ['br', 'Breton'], ['eu', 'Basque'], ['is', 'Icelandic'], ['hy', 'Armenian'], ['ne', 'Nepali'],
  ['mn', 'Mongolian'], ['bs', 'Bosnian'], ['kk', 'Kazakh'], ['sq', 'Albanian'], ['sw', 'Swahili'],
  ['gl', 'Galician'], ['mr', 'Marathi'], ['pa', 'Punjabi'], ['si', 'Sinhala'], ['km', 'Khmer'],
  ['sn', 'Shona'], ['yo', 'Yoruba'], ['so', 'Somali'], ['af', 'Afrikaans'], ['oc', 'Occitan'],
  ['ka', 'Georgian'], ['be', 'Belarusian'], ['tg', 'Tajik'], ['sd', 'Sindhi'], ['gu', 'Gujarati'],
  ['am', 'Amharic'], ['yi', 'Yiddish'], ['lo', 'Lao'], ['uz', 'Uzbek'], ['fo', 'Faroese'],
  ['ht', 'Haitian Creole'], ['ps', 'Pashto'], ['tk', 'Turkmen'], ['nn', 'Nynorsk'], ['mt', 'Maltese'],
  ['sa', 'Sanskrit'], ['lb', 'Luxembourgish'], ['my', 'Myanmar'], ['bo', 'Tibetan'], ['tl', 'Tagalog'],
  ['mg', 'Malagasy'], ['as', 'Assamese'], ['tt', 'Tatar'], ['haw', 'Hawaiian'], ['ln', 'Lingala'],
  ['ha', 'Hausa'], ['ba', 'Bashkir'], ['jw', 'Javanese'], ['su', 'Sundanese'], ['yue', 'Cantonese'],
];

const FIREWORKS_EXTRA: readonly (readonly [string, string])[] = [
  ['zh-hant', 'Traditional Chinese'], ['zh-hans', 'Simplified Chinese'],
];

const NAMES = new Map<string, string>([...WHISPER, ...FIREWORKS_EXTRA]);

const DEEPGRAM_CODES = [
  'multi', 'en', 'en-US', 'en-GB', 'en-AU', 'en-NZ', 'en-IN', 'es', 'es-419', 'fr', 'fr-CA', 'de', 'de-CH',
  'nl', 'nl-BE', 'sv', 'da', 'it', 'tr', 'no', 'id', 'pt', 'pt-BR', 'pt-PT', 'bg', 'cs', 'fi', 'hi', 'hu',
  'ja', 'ko', 'pl', 'ru', 'uk', 'vi', 'ca', 'et', 'el', 'lv', 'lt', 'ms', 'ro', 'sk', 'be', 'bn', 'bs',
  'hr', 'kn', 'mk', 'mr', 'sr', 'sl', 'ta', 'tl', 'te', 'zh', 'zh-CN', 'zh-TW',
] as const;

const REGION_NAMES: Record<string, string> = {
  multi: 'Multilingual (auto-switch)', 'en-US': 'English (US)', 'en-GB': 'English (UK)',
  'en-AU': 'English (Australia)', 'en-NZ': 'English (New Zealand)', 'en-IN': 'English (India)',
  'es-419': 'Spanish (Latin America)', 'fr-CA': 'French (Canada)', 'de-CH': 'German (Switzerland)',
  'nl-BE': 'Flemish', 'pt-BR': 'Portuguese (Brazil)', 'pt-PT': 'Portuguese (Portugal)',
  'zh-CN': 'Chinese (Simplified)', 'zh-TW': 'Chinese (Traditional)',
};

const toOptions = (pairs: readonly (readonly [string, string])[]): LanguageOption[] =>
  pairs.map(([code, name]) => ({ code, name }));

const ASSEMBLY_MULTI = ['en', 'es', 'fr', 'de', 'it', 'pt'];

/** The full documented list for the provider (and model, where the model decides). */
export function languagesFor(provider: ProviderId, model?: string): LanguageOption[] {
  switch (provider) {
    case 'fireworks':
      return toOptions([...WHISPER, ...FIREWORKS_EXTRA]);
    case 'together':
    case 'openai':
      return toOptions(WHISPER);
    case 'assemblyai': {
      const m = model ?? PROVIDERS.assemblyai.defaultModel;
      const codes = m === 'universal-streaming-english' ? ['en'] : ASSEMBLY_MULTI;
      return codes.map((code) => ({ code, name: NAMES.get(code)! }));
    }
    case 'deepgram':
      return DEEPGRAM_CODES.map((code) => ({ code, name: REGION_NAMES[code] ?? NAMES.get(code) ?? code }));
  }
}

export function languageName(code: string): string {
  return REGION_NAMES[code] ?? NAMES.get(code) ?? code;
}

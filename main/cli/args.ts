/**
 * Command-line parsing for `earshot`, pure so every rule is unit-tested. Uses node:util's
 * parseArgs (no dependency) and turns every mistake into a BAD_ARGUMENT message that says
 * what is allowed.
 */
import { parseArgs } from 'node:util';
import { EarshotError } from '../../shared/errors.js';
import { PROVIDERS, PROVIDER_IDS, isProviderId, speakerLabelProviders, speakerLabelsRefusal, type ProviderId } from '../../shared/providers.js';
import { parseHttpEndpoint } from '../prerecorded/http-endpoint.js';
import { NO_PRERECORDED, PRERECORDED_SERVICES } from '../prerecorded/services.js';
import { parseEndpoint } from '../stt/endpoint.js';
import { defaultLabels, parseSourceTerms, SourceTermError, type SourceTerm } from '../../shared/source-terms.js';

export type TranscriptFormat = 'json' | 'srt' | 'vtt' | 'txt';
const FORMATS: readonly TranscriptFormat[] = ['json', 'srt', 'vtt', 'txt'];

export interface CaptionArgs {
  command: 'caption';
  /** --source as given: one term, or two joined by "+". */
  source: string;
  /** The terms of --source (two for a meeting). */
  sources: SourceTerm[];
  /** One display label per source ("You", "Others"); used when there are two. */
  labels: string[];
  /** Meetings: take the microphone's echo of system audio out (audio: AEC3, text: word matching). */
  echo: { audio: boolean; text: boolean } | false;
  provider: ProviderId;
  model: string;
  endpoint: string | undefined;
  apiKey: string | undefined;
  language: string | undefined;
  prompt: string | undefined;
  temperature: number | undefined;
  frameMs: number;
  speed: number;
  out: string | undefined;
  format: TranscriptFormat | undefined;
  overlayPort: number | undefined;
  overlayHost: string;
  backlogSeconds: number;
  /** Provider-specific settings (VAD, region, format_turns, ...), from repeated --option name=value. */
  extra: Record<string, string>;
  /** Ask the service to label speakers live ("Speaker A"…); only providers that can. */
  speakers: boolean;
  quiet: boolean;
}

export interface TranscribeArgs {
  command: 'transcribe';
  path: string;
  /** A key of PRERECORDED_SERVICES. */
  provider: 'fireworks' | 'together' | 'openai';
  model: string;
  endpoint: string | undefined;
  apiKey: string | undefined;
  /** undefined = detect automatically (--language auto or none given). */
  language: string | undefined;
  prompt: string | undefined;
  temperature: number | undefined;
  diarize: boolean;
  translate: boolean;
  out: string | undefined;
  /** Given or named by --out's extension; undefined = txt on stdout. */
  format: TranscriptFormat | undefined;
  quiet: boolean;
}

export type CliCommand =
  | CaptionArgs
  | TranscribeArgs
  | { command: 'devices'; json: boolean }
  | { command: 'help'; topic?: string }
  | { command: 'version' };

export const USAGE = `earshot: live captions from your microphone, system audio or a WAV file

Usage:
  earshot devices [--json]
  earshot caption --source mic|system|device:ID|file:PATH[+SOURCE] [options]
  earshot transcribe PATH [options]
  earshot --help | --version

Caption options:
  --source S          mic (default input), system (what your speakers play; Linux),
                      device:ID (an id or name from \`earshot devices\`), file:PATH (WAV).
                      Two joined by + caption a meeting, each on its own connection
                      (twice the provider minutes): --source mic+system labels lines
                      "You" and "Others". A path or ID containing + is quoted:
                      file:"take+1.wav"
  --labels A,B        rename the two streams' labels (default You,Others)
  --echo MODE         meetings: take the microphone's echo of system audio out: on
                      (default: echo cancelling on the audio, then dropping lines whose
                      words repeat system audio), audio, text (only one of the two), off
  --provider P        ${PROVIDER_IDS.join('|')} (default fireworks)
  --model M           provider model (fireworks: fireworks-asr-large|fireworks-asr-v2)
  --endpoint URL      override the provider's WebSocket URL (wss://; ws:// only for localhost)
  --api-key KEY       API key (default: the provider's environment variable,
                      e.g. FIREWORKS_API_KEY). Never printed.
  --language CODE     spoken language, e.g. en, de, ja (default en), or auto to let the
                      service detect it (fireworks, assemblyai, openai; shown on stderr)
  --prompt TEXT       vocabulary or style hint
  --temperature T     decoding temperature (fireworks), default 0
  --frame-ms N        audio frame size in ms (fireworks 50-400, default 50)
  --speed N           send file audio N times faster than real time (tests, demos;
                      file sources only)
  --out PATH          write the transcript of final captions when done
  --format F          json|srt|vtt|txt, for an --out name without one of those
                      extensions (default: from the --out extension, which it must match)
  --overlay-port P    serve the caption overlay at http://127.0.0.1:P/overlay?token=...
  --overlay-host H    address to bind the overlay server (default 127.0.0.1; 0.0.0.0
                      lets other machines on the network open it, with a warning)
  --backlog-seconds N audio kept for replay after a dropped connection (120-3600, default 180)
  --option NAME=VALUE provider-specific setting, repeatable (e.g. --option region=eu for
                      assemblyai, --option max_speech_duration_s=20 for together);
                      unknown names are refused
  --speakers          label who speaks (Speaker A, Speaker B…) where the service does it
                      live: ${speakerLabelProviders().map((p) => p.id).join(', ')}; refused for ${PROVIDER_IDS.filter((id) => !PROVIDERS[id].liveSpeakerLabels).join(', ')}
  --quiet             no status lines on stderr

Exit status: 0 done (file ended, Ctrl+C, SIGTERM or SIGHUP), 1 captioning failed (e.g. refused
key), 2 bad usage (checked before any audio is sent: options, --endpoint, --out, overlay port).
Captioning goes on if stdout or stderr is closed or full; --out is still written.

Transcribe options (a recording, sent whole to the pre-recorded service; WAV, FLAC, MP3…):
  --provider P        fireworks (default; up to 1 GB), together (500 MB) or openai (25 MB)
  --model M           fireworks: whisper-v3 (default) | whisper-v3-turbo (faster);
                      together: openai/whisper-large-v3; openai: whisper-1 (--diarize
                      uses gpt-4o-transcribe-diarize)
  --endpoint URL      override the service's base URL (https://; http:// only for localhost)
  --api-key KEY       API key (default: the provider's variable, e.g. FIREWORKS_API_KEY)
  --language CODE|auto  the spoken language, or auto (default) to let the service detect it
  --prompt TEXT       vocabulary or style hint
  --temperature T     decoding temperature 0-1 (default: the service's, 0)
  --diarize           label speakers (Speaker A, Speaker B…)
  --translate         translate to English instead of transcribing (no speaker labels)
  --out PATH          write the transcript there (format from the extension)
  --format F          json|srt|vtt|txt (default: from --out, else txt on stdout)
  --quiet             no progress on stderr

  Exit status: 0 transcribed, 1 failed (refused key, file too large, service error,
  cancelled with Ctrl+C), 2 bad usage.
`;

/** Providers whose protocol has a decoding temperature (stt-protocols.md §1.3). */
const TEMPERATURE_PROVIDERS: readonly ProviderId[] = ['fireworks'];

function bad(detail: string): never {
  throw new EarshotError('BAD_ARGUMENT', detail, `${detail}. Run \`earshot --help\` for usage.`);
}

function num(name: string, raw: string | undefined, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || raw.trim() === '') bad(`--${name} must be a number, got "${raw}"`);
  if (v < min || v > max) bad(`--${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

export function formatFromExtension(path: string): TranscriptFormat | undefined {
  const m = /\.([a-z0-9]+)$/i.exec(path);
  const ext = m?.[1]?.toLowerCase();
  return ext && (FORMATS as readonly string[]).includes(ext) ? (ext as TranscriptFormat) : undefined;
}

export function parseCli(argv: readonly string[]): CliCommand {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') return { command: 'help' };
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') return { command: 'version' };
  if (cmd === 'devices') {
    const { values } = safeParse(rest, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) return { command: 'help', topic: 'devices' };
    return { command: 'devices', json: Boolean(values.json) };
  }
  if (cmd === 'transcribe') return parseTranscribe(rest);
  if (cmd !== 'caption') bad(`Unknown command "${cmd}" (expected "caption", "transcribe" or "devices")`);

  const { values } = safeParse(rest, {
    source: { type: 'string' }, provider: { type: 'string' }, model: { type: 'string' },
    endpoint: { type: 'string' }, 'api-key': { type: 'string' }, language: { type: 'string' },
    prompt: { type: 'string' }, temperature: { type: 'string' }, 'frame-ms': { type: 'string' },
    speed: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' },
    'overlay-port': { type: 'string' }, 'overlay-host': { type: 'string' },
    'backlog-seconds': { type: 'string' }, option: { type: 'string', multiple: true },
    labels: { type: 'string' }, echo: { type: 'string' }, speakers: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { command: 'help', topic: 'caption' };

  const source = values.source ?? 'mic';
  let sources: SourceTerm[];
  try {
    sources = parseSourceTerms(source);
  } catch (err) {
    if (err instanceof SourceTermError) bad(err.message.replace(/\.$/, ''));
    throw err;
  }
  const labels = defaultLabels(sources);
  if (values.labels !== undefined) {
    const given = values.labels.split(',').map((l) => l.trim());
    if (given.length !== sources.length || given.some((l) => l === '' || l.length > 40)) {
      bad(`--labels needs ${sources.length} name${sources.length === 1 ? '' : 's'} of 1-40 characters separated by commas, one per source, got "${values.labels}"`);
    }
    if (new Set(given).size !== given.length) bad(`--labels must differ so each line tells its stream, got "${values.labels}"`);
    labels.splice(0, labels.length, ...given);
  }
  const echoRaw = values.echo ?? 'on';
  if (!['on', 'off', 'audio', 'text'].includes(echoRaw)) bad(`--echo must be on, off, audio or text, got "${echoRaw}"`);
  const providerRaw = values.provider ?? 'fireworks';
  if (!isProviderId(providerRaw)) bad(`--provider must be one of ${PROVIDER_IDS.join(', ')}, got "${providerRaw}"`);
  const info = PROVIDERS[providerRaw];
  const model = values.model ?? info.defaultModel;
  if (!info.models.includes(model)) bad(`--model for ${providerRaw} must be one of ${info.models.join(', ')}, got "${model}"`);
  const frameMs = num('frame-ms', values['frame-ms'], info.frameMs.min, info.frameMs.max, info.frameMs.default);
  if (!Number.isInteger(frameMs)) bad(`--frame-ms must be a whole number of milliseconds, got ${frameMs}`);
  const speed = num('speed', values.speed, 0.25, 50, 1);
  // Live audio arrives in real time; it cannot be sent faster than it is spoken.
  const live = sources.find((t) => t.kind !== 'file');
  if (values.speed !== undefined && live) bad(`--speed only applies to --source file:PATH; ${live.term} is live audio and is always sent as it is captured`);
  const format = values.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    bad(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  }
  let resolvedFormat = format as TranscriptFormat | undefined;
  const named = values.out === undefined ? undefined : formatFromExtension(values.out);
  // A name without a transcript extension is refused by checkOutputPath, after it has checked
  // the path itself (a folder given as --out deserves that answer, not one about extensions).
  if (values.out !== undefined && resolvedFormat === undefined) resolvedFormat = named;
  // --format is for names without a transcript extension (out.log, captions): a file called
  // x.srt that holds JSON would be opened by the wrong program.
  if (format !== undefined && named !== undefined && named !== format) {
    bad(`--format ${format} contradicts --out ${values.out} (a .${named} name); drop --format or change the extension`);
  }
  if (format !== undefined && values.out === undefined) bad('--format needs --out PATH');
  const overlayPort = values['overlay-port'] === undefined ? undefined : num('overlay-port', values['overlay-port'], 0, 65535, 0);
  const languageRaw = values.language ?? 'en';
  if (languageRaw === 'auto' && !info.detectsLanguage) {
    bad(`--language auto: ${info.label} cannot detect the spoken language; pass --language CODE${providerRaw === 'deepgram' ? ' (or multi for speech that switches languages)' : ''}`);
  }
  // auto: no language is sent and the service detects it (and says which it heard).
  const language = languageRaw === 'auto' ? undefined : languageRaw;
  if (language !== undefined && !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(language)) bad(`--language must be a language code such as en, de or zh-hant, or auto, got "${language}"`);
  const extra: Record<string, string> = {};
  for (const item of (values.option as string[] | undefined) ?? []) {
    const m = /^([A-Za-z][\w.-]*)=(.*)$/s.exec(item);
    if (!m) bad(`--option must look like name=value, got "${item}"`);
    extra[m[1]!] = m[2]!;
  }
  // Refused, not ignored: unlabelled lines would read as if one person said everything.
  const refusal = values.speakers ? speakerLabelsRefusal(providerRaw) : undefined;
  if (refusal) bad(`--speakers: ${refusal} (--provider ${speakerLabelProviders().map((p) => p.id).join(' or ')}); a recording can be labelled afterwards with earshot transcribe --diarize`);
  const temperature = values.temperature === undefined ? undefined : num('temperature', values.temperature, 0, 1, 0);
  if (temperature !== undefined && !TEMPERATURE_PROVIDERS.includes(providerRaw)) {
    bad(`--temperature is only used by ${TEMPERATURE_PROVIDERS.join(', ')}; ${providerRaw} has no temperature setting`);
  }
  if (values.endpoint !== undefined) {
    try {
      parseEndpoint(values.endpoint);
    } catch (err) {
      bad(`--endpoint: ${err instanceof EarshotError ? (err.detail ?? err.message) : String(err)}; use wss://host/path (ws:// only for 127.0.0.1, ::1 or localhost)`);
    }
  }

  return {
    command: 'caption',
    source,
    sources,
    labels,
    echo: echoRaw === 'off' ? false : { audio: echoRaw !== 'text', text: echoRaw !== 'audio' },
    provider: providerRaw,
    model,
    endpoint: values.endpoint,
    apiKey: values['api-key'],
    language,
    prompt: values.prompt,
    temperature,
    frameMs,
    speed,
    out: values.out,
    format: resolvedFormat,
    overlayPort,
    overlayHost: values['overlay-host'] ?? '127.0.0.1',
    backlogSeconds: num('backlog-seconds', values['backlog-seconds'], 120, 3600, 180),
    extra,
    speakers: Boolean(values.speakers),
    quiet: Boolean(values.quiet),
  };
}


function parseTranscribe(rest: string[]): TranscribeArgs | { command: 'help'; topic: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: {
        provider: { type: 'string' }, model: { type: 'string' }, endpoint: { type: 'string' }, 'api-key': { type: 'string' },
        language: { type: 'string' }, prompt: { type: 'string' }, temperature: { type: 'string' },
        diarize: { type: 'boolean' }, translate: { type: 'boolean' }, out: { type: 'string' }, format: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    bad(err instanceof Error ? err.message.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', topic: 'transcribe' };
  if (positionals.length !== 1) bad(positionals.length ? `transcribe takes one file, got ${positionals.length}: ${positionals.join(' ')}` : 'transcribe needs the path of a recording, e.g. earshot transcribe meeting.wav');
  const provider = values.provider ?? 'fireworks';
  const service = PRERECORDED_SERVICES[provider];
  if (!service) {
    const why = NO_PRERECORDED[provider];
    bad(why ? `--provider ${provider}: ${why}; use ${Object.keys(PRERECORDED_SERVICES).join(', ')}` : `--provider must be one of ${Object.keys(PRERECORDED_SERVICES).join(', ')}, got "${provider}"`);
  }
  const model = values.model ?? service.defaultModel;
  if (!service.models.includes(model)) bad(`--model for ${service.label} file transcription must be one of ${service.models.join(', ')}, got "${model}"`);
  const language = values.language === undefined || values.language === 'auto' ? undefined : values.language;
  if (language !== undefined && !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(language)) bad(`--language must be a language code such as en, de or zh-hant, or auto, got "${language}"`);
  if (values.diarize && values.translate) bad('--diarize and --translate cannot be combined: the translation service labels no speakers');
  const format = values.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) bad(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const named = values.out === undefined ? undefined : formatFromExtension(values.out);
  if (format !== undefined && named !== undefined && named !== format) {
    bad(`--format ${format} contradicts --out ${values.out} (a .${named} name); drop --format or change the extension`);
  }
  if (values.endpoint !== undefined) {
    try {
      parseHttpEndpoint(values.endpoint);
    } catch (err) {
      bad(`--endpoint: ${err instanceof EarshotError ? (err.detail ?? err.message) : String(err)}`);
    }
  }
  return {
    command: 'transcribe',
    path: positionals[0]!,
    provider: provider as TranscribeArgs['provider'],
    model,
    endpoint: values.endpoint,
    apiKey: values['api-key'],
    language,
    prompt: values.prompt,
    temperature: values.temperature === undefined ? undefined : num('temperature', values.temperature, 0, 1, 0),
    diarize: Boolean(values.diarize),
    translate: Boolean(values.translate),
    out: values.out,
    // checkOutputPath refuses an --out name without a transcript extension and no --format.
    format: (format as TranscriptFormat | undefined) ?? named,
    quiet: Boolean(values.quiet),
  };
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function safeParse<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (err) {
    const msg = err instanceof Error ? err.message.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(err);
    bad(msg.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

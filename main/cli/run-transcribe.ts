/**
 * `earshot transcribe PATH`: one recording through the pre-recorded service, with progress
 * on stderr, Ctrl+C to cancel, and the transcript on stdout or in --out (same shapes as live
 * captions, with speakers when --diarize). Nothing is uploaded before the file, the key and
 * --out have been checked.
 */
import { basename } from 'node:path';
import type { Segment } from '../../shared/captions.js';
import { EarshotError } from '../../shared/errors.js';
import { renderTranscript, writeTranscript } from '../captions/export.js';
import { PRERECORDED_SERVICES } from '../prerecorded/services.js';
import { parseHttpEndpoint } from '../prerecorded/http-endpoint.js';
import { httpUpload } from '../prerecorded/http-upload.js';
import { transcribeFile } from '../prerecorded/transcribe-job.js';
import type { FileTranscript } from '../prerecorded/types.js';
import { PROVIDERS } from '../../shared/providers.js';
import { systemClock, systemRandom } from '../util/clock.js';
import type { TranscribeArgs } from './args.js';
import { checkOutputPath } from './check-output.js';
import { EXIT_OK, type CliIo } from './run-caption.js';
import { TranscribeProgress } from './transcribe-progress.js';

export async function runTranscribe(args: TranscribeArgs, io: CliIo): Promise<number> {
  if (args.out) await checkOutputPath(args.out, args.format, args.path);
  const info = PROVIDERS[args.provider];
  const apiKey = (args.apiKey ?? io.env[info.keyEnv])?.trim();
  if (!apiKey) throw new EarshotError('KEY_MISSING', undefined, `No API key for ${info.label}: pass --api-key KEY or set the ${info.keyEnv} environment variable.`);
  const progress = args.quiet ? null : new TranscribeProgress(io.stderr, systemClock, basename(args.path));
  const controller = new AbortController();
  const offSignal = io.onSignal(() => controller.abort());
  let result: FileTranscript;
  try {
    result = await transcribeFile({
      path: args.path,
      service: PRERECORDED_SERVICES[args.provider]!,
      options: {
        model: args.model, diarize: args.diarize, translate: args.translate,
        ...(args.language ? { language: args.language } : {}),
        ...(args.prompt ? { prompt: args.prompt } : {}),
        ...(args.temperature !== undefined ? { temperature: args.temperature } : {}),
      },
      apiKey,
      ...(args.endpoint ? { endpoint: parseHttpEndpoint(args.endpoint) } : {}),
      signal: controller.signal,
      ...(progress ? { onStatus: (s) => progress.update(s) } : {}),
    }, { upload: httpUpload, clock: systemClock, random: systemRandom, epochNow: () => Date.now() });
  } finally {
    offSignal();
    progress?.finish();
  }
  const segments: Segment[] = result.segments.map((s) => ({ id: s.id, text: s.text, start: s.start, end: s.end, final: true, ...(s.speaker ? { speaker: s.speaker } : {}) }));
  const format = args.format ?? 'txt';
  if (args.out) await writeTranscript(args.out, format, segments);
  else io.stdout.write(renderTranscript(format, segments));
  if (!args.quiet) {
    const speakers = new Set(segments.map((s) => s.speaker).filter(Boolean)).size;
    const parts = [
      `${segments.length} segments`,
      ...(result.duration !== undefined ? [`${formatDuration(result.duration)} of audio`] : []),
      ...(result.language ? [`language ${result.language}`] : []),
      ...(args.diarize ? [`${speakers} speakers`] : []),
      ...(args.out ? [`written to ${args.out}`] : []),
    ];
    io.stderr.write(`earshot: ${args.translate ? 'translated' : 'transcribed'} ${basename(args.path)}: ${parts.join(', ')}\n`);
  }
  return EXIT_OK;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * `earshot caption`: one captioning run in a terminal, optionally served to browsers, with
 * a transcript written at the end. Everything it prints is for a person; the key never is.
 */
import { fileURLToPath } from 'node:url';
import { describeError, EarshotError, redactKey, type ErrorInfo } from '../../shared/errors.js';
import { DEFAULT_STYLE } from '../../shared/overlay-style.js';
import type { AudioLevel } from '../../shared/status.js';
import { safeText } from '../../shared/safe-text.js';
import { languageName } from '../../shared/languages.js';
import { PROVIDERS } from '../../shared/providers.js';
import { resolveSource } from '../audio/system-audio.js';
import { DiffCoalescer } from '../captions/diff-coalescer.js';
import { writeTranscript } from '../captions/export.js';
import { TranscriptSaver } from '../captions/transcript-saver.js';
import { startOverlayServer, type OverlayServer } from '../overlay/overlay-server.js';
import { CaptionRun, type RunConfig, type RunResult } from '../pipeline/caption-run.js';
import { echoRoles, MeetingRun } from '../pipeline/meeting-run.js';
import type { AudioSource } from '../audio/types.js';
import { loadAec3 } from '../audio/echo-canceller.js';
import { isOwnVoice, type SourceTerm } from '../../shared/source-terms.js';
import { getProvider } from '../stt/providers/index.js';
import { createWsTransport } from '../stt/ws-transport.js';
import { systemClock, systemRandom } from '../util/clock.js';
import type { CaptionArgs } from './args.js';
import { checkOutputPath } from './check-output.js';
import { TerminalView, type TerminalOut } from './terminal-view.js';

export interface CliIo {
  stdout: TerminalOut;
  stderr: TerminalOut;
  env: Record<string, string | undefined>;
  /** Registers SIGINT/SIGTERM/SIGHUP handling; returns an unsubscribe. */
  onSignal(handler: (signal: string) => void): () => void;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Ctrl+C ends within 2 s whatever the network does; the rest of the 2 s is for writing --out. */
export const STOP_WITHIN_MS = 1200;

const staticDir = fileURLToPath(new URL('../../renderer/', import.meta.url));

export async function runCaption(args: CaptionArgs, io: CliIo): Promise<number> {
  const info = PROVIDERS[args.provider];
  // Everything a person could have got wrong fails here, before any audio is sent (usage first: exit 2).
  if (args.out) {
    const files = args.sources.flatMap((t) => (t.kind === 'file' ? [t.value] : []));
    for (const file of files.length ? files : [undefined]) await checkOutputPath(args.out, args.format, file);
  }
  const apiKey = (args.apiKey ?? io.env[info.keyEnv])?.trim();
  if (!apiKey) {
    // The table's message mentions the settings window, which the command line does not have.
    throw new EarshotError('KEY_MISSING', undefined, `No API key for ${info.label}: pass --api-key KEY or set the ${info.keyEnv} environment variable.`);
  }
  // https://no-color.org: any non-empty NO_COLOR turns colour off.
  const view = new TerminalView(io.stdout, io.stderr, { quiet: args.quiet, color: !io.env.NO_COLOR });
  const sources = [];
  for (const term of args.sources) sources.push(await resolveSource(term.value === undefined ? term.kind : `${term.kind}:${term.value}`, { isolateCapture: true }));
  const runConfig = (source: AudioSource, term: SourceTerm): RunConfig => ({
    source,
    sourceTerm: term.term,
    provider: getProvider(args.provider),
    providerOptions: {
      apiKey,
      model: args.model,
      endpoint: args.endpoint,
      language: args.language,
      prompt: args.prompt,
      temperature: args.temperature,
      extra: args.extra,
      ...(args.speakers ? { speakerLabels: true } : {}),
    },
    frameMs: args.frameMs,
    speed: args.speed,
    backlogSeconds: args.backlogSeconds,
  });
  const deps = { transport: createWsTransport, clock: systemClock, random: systemRandom };
  const run: CaptionRun | MeetingRun =
    sources.length === 1
      ? new CaptionRun(runConfig(sources[0]!, args.sources[0]!), deps)
      : new MeetingRun(
          {
            // Speakers are told apart on the others' side only: the microphone stays "You".
            streams: sources.map((source, i) => ({
              term: args.sources[i]!.term, label: args.labels[i]!, run: runConfig(source, args.sources[i]!),
              speakerLabels: !isOwnVoice(args.sources[i]!.term),
            })),
            ...(args.echo ? echoRoles(args.sources.map((t) => t.term), args.echo, loadAec3) : {}),
          },
          deps,
        );
  const description = sources.map((s, i) => (sources.length > 1 ? `${args.labels[i]}: ${s.description}` : s.description)).join(' + ');

  let fatal: ErrorInfo | undefined;
  let failedToStart = false;
  run.on((e) => {
    if (failedToStart) return;
    switch (e.type) {
      case 'diff':
        if (!view.applyDiff(e.diff)) view.reset(run.snapshot());
        break;
      case 'status':
        if (e.status.kind !== 'error') view.status(e.status);
        break;
      case 'warning':
        view.notice(`warning: ${describeError(e.error)}`);
        break;
      case 'language': {
        // Worth a line when the service chose (auto) or heard something other than what was asked.
        if (args.language !== undefined && e.code.toLowerCase() === args.language.toLowerCase()) break;
        const name = languageName(e.code);
        view.notice(`language${e.stream ? ` (${e.stream.label})` : ''}: ${safeText(e.code)}${name !== e.code ? ` (${name})` : ''}`);
        break;
      }
      case 'fatal':
        fatal = e.error;
        break;
    }
  });

  // --out is kept current while captioning, so a crash or kill -9 loses seconds, not the session.
  const out = args.out;
  const saver = out
    ? new TranscriptSaver({
        clock: systemClock,
        segments: () => run.finals(),
        write: (segments) => writeTranscript(out, args.format ?? 'json', segments),
        onError: (e) => view.notice(`warning: ${describeError(e)}`),
      })
    : undefined;
  const offFinals = run.store.onFinalChange(() => saver?.changed());

  let overlay: OverlayServer | undefined;
  let coalescer: DiffCoalescer | undefined;
  let interrupts = 0;
  const offSignal = io.onSignal((signal) => {
    // A hang-up often arrives twice (from the kernel and from the shell), and nobody is at the
    // terminal to mean "quit now": only Ctrl+C or SIGTERM turn stopping into quitting.
    if (signal === 'SIGHUP' && interrupts > 0) return;
    interrupts++;
    if (interrupts === 1) {
      view.notice(`${signal}: stopping capture and waiting for the last captions (press Ctrl+C again to quit now)`);
      void run.stop({ withinMs: STOP_WITHIN_MS });
    } else {
      void run.kill();
    }
  });

  try {
    // The overlay port is taken before connecting, so a port in use fails fast (exit 2).
    if (args.overlayPort !== undefined) overlay = await startOverlay(args, run, (c) => (coalescer = c));
    await run.start();
    view.notice(`source: ${description} · provider: ${info.label} (${args.model}) · key ${redactKey(apiKey)}`);
    if (overlay) {
      view.notice(`overlay: ${overlay.url}`);
      if (overlay.exposed) {
        const where = overlay.remoteUrls.length ? `; from another machine open ${overlay.remoteUrls.join(' or ')}` : '';
        view.notice(`warning: the overlay listens on ${args.overlayHost}, so other machines on the network can reach it. Anyone with the URL (it holds the token) can read the captions${where}`);
      }
    }
    const result: RunResult = await run.done;
    view.finish();
    if (run instanceof MeetingRun && run.echoSuppressed > 0) {
      view.notice(`echo: dropped ${run.echoSuppressed} microphone line${run.echoSuppressed === 1 ? '' : 's'} that repeated system audio`);
    }
    if (saver && out) {
      await saver.flush();
      view.notice(`wrote ${result.finals.length} caption${result.finals.length === 1 ? '' : 's'} to ${out}`);
    }
    if (fatal ?? result.fatal) {
      const err = (fatal ?? result.fatal)!;
      io.stderr.write(`earshot: ${safeText(describeError(err))}\n`);
      return EXIT_FAILED;
    }
    return EXIT_OK;
  } catch (err) {
    // Whatever was finished is still written before reporting the failure.
    failedToStart = true;
    await run.kill();
    if (saver && run.finals().length) await saver.flush().catch(() => undefined);
    throw err;
  } finally {
    offSignal();
    offFinals();
    saver?.dispose();
    coalescer?.flush();
    coalescer?.close();
    await overlay?.close();
  }
}

async function startOverlay(args: CaptionArgs, run: CaptionRun | MeetingRun, keep: (c: DiffCoalescer) => void): Promise<OverlayServer> {
  const coalescer = new DiffCoalescer(run.store, { clock: systemClock });
  keep(coalescer);
  const server = await startOverlayServer({
    host: args.overlayHost,
    port: args.overlayPort ?? 0,
    staticDir,
    getSnapshot: () => coalescer.snapshot(),
    getStyle: () => DEFAULT_STYLE,
  });
  coalescer.on((diff) => server.publish('captions:diff', diff));
  // A meeting's two streams report levels in turn; the meter shows the louder one.
  const levels = new Map<number, AudioLevel>();
  const loudest = (level: AudioLevel, stream = 0): AudioLevel => {
    levels.set(stream, level);
    return [...levels.values()].reduce((a, b) => (b.rmsDb > a.rmsDb ? b : a));
  };
  run.on((e) => {
    if (e.type === 'status') server.publish('status', e.status);
    else if (e.type === 'level') server.publish('level', loudest(e.level, e.stream?.index));
  });
  return server;
}


/**
 * The capture child's stderr, cleaned for people. Opening PortAudio probes every ALSA PCM and the
 * JACK server, and alsa-lib and libjack print ~150 lines about cards and servers that do not
 * exist; none of it is actionable. Those lines are dropped; anything else (a real error, a crash
 * backtrace from segfault-handler) is passed on with a prefix saying where it came from.
 */

const NOISE: readonly RegExp[] = [
  // alsa-lib configuration and PCM probing: "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM …"
  /^ALSA lib [\w.-]+:\d+:\(\w+\) /,
  // PortAudio's ALSA host API: "Expression 'ret' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 1736"
  /^Expression '.*' failed in 'src\/(hostapi|common|os)\/[\w/.]+', line: \d+$/,
  // libjack when no JACK server runs.
  /^Jack\w*::~?\w+ - /,
  /^jack server is not running or cannot be started$/,
  /^Cannot connect to server (socket|request channel)\b/,
  // naudiodon's printf's; they go to stdout, but are dropped here too should a build send them to stderr.
  /^PortAudio V\d+\.\d+/,
  /^(Input|Output) audio options: /,
  /^(Input|Output) device name is /,
  /^Finishing (input|output) - \d+ bytes/,
];

export function isAudioNoise(line: string): boolean {
  const l = line.replace(/\r$/, '');
  return l.trim() === '' || NOISE.some((re) => re.test(l));
}

export const AUDIO_STDERR_PREFIX = '[earshot audio] ';
/** A line longer than this is passed on in pieces rather than buffered without bound. */
const MAX_LINE = 4096;

/** Splits a byte stream into lines, drops noise, prefixes the rest. Counts what it dropped. */
export class StderrFilter {
  private partial = '';
  private droppedLines = 0;
  private readonly recent: string[] = [];

  constructor(
    private readonly write: (text: string) => void,
    private readonly prefix = AUDIO_STDERR_PREFIX,
  ) {}

  push(data: string | Buffer): void {
    const text = this.partial + (typeof data === 'string' ? data : data.toString('utf8'));
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    while (this.partial.length > MAX_LINE) {
      lines.push(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
    this.emit(lines);
  }

  /** Passes on an unterminated last line (the stream ended). */
  flush(): void {
    const last = this.partial;
    this.partial = '';
    if (last) this.emit([last]);
  }

  get dropped(): number {
    return this.droppedLines;
  }

  /** The last few lines passed on, to explain a failure. */
  lastLines(): string[] {
    return [...this.recent];
  }

  private emit(lines: string[]): void {
    const kept: string[] = [];
    for (const line of lines) {
      if (isAudioNoise(line)) {
        this.droppedLines++;
        continue;
      }
      const clean = line.replace(/\r$/, '');
      kept.push(`${this.prefix}${clean}\n`);
      this.recent.push(clean);
      if (this.recent.length > 5) this.recent.shift();
    }
    if (kept.length) this.write(kept.join(''));
  }
}

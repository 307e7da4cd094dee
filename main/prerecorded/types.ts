/**
 * Pre-recorded (file) transcription and translation: what a request asks for and what comes
 * back, the same for every service. Segments have the shapes of live captions, plus the
 * speaker where the service diarized.
 */

export interface FileTranscriptSegment {
  id: string;
  text: string;
  /** Seconds from the start of the file. */
  start: number;
  end: number;
  /** "Speaker A", "Speaker B"… in order of first appearance; only when diarized. */
  speaker?: string;
}

export interface FileTranscript {
  segments: FileTranscriptSegment[];
  text: string;
  /** The language the service heard (or was told), as it reports it. */
  language?: string;
  /** Seconds of audio, when the service reports it. */
  duration?: number;
  task: 'transcribe' | 'translate';
}

export interface TranscribeOptions {
  model: string;
  /** undefined = let the service detect it. For translations, the language spoken. */
  language?: string;
  prompt?: string;
  temperature?: number;
  diarize: boolean;
  translate: boolean;
}

/** One multipart text field. */
export type FormField = readonly [name: string, value: string];

/** What one service needs to turn options into a request and a response into a transcript. */
export interface PrerecordedService {
  readonly id: string;
  readonly label: string;
  readonly models: readonly string[];
  readonly defaultModel: string;
  /** Largest upload the service takes, in bytes. */
  readonly maxBytes: number;
  readonly canDiarize: boolean;
  readonly canTranslate: boolean;
  /** The base URL for a model (scheme + host, no path). */
  baseUrl(model: string): string;
  path(translate: boolean): string;
  authHeader(key: string): Record<string, string>;
  fields(options: TranscribeOptions): FormField[];
  /** Throws a plain Error with a short reason when the body is not what the service sends. */
  parse(body: unknown, translate: boolean): FileTranscript;
}

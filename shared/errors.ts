/**
 * The one error table. Every failure a person can see has a stable code, says whether
 * retrying can help, and carries a message that tells the person what to do.
 * Plain data so it survives IPC and JSON.
 */
export const ERROR_TABLE = {
  AUTH_REFUSED: { retryable: false, message: 'The speech service refused the API key. Check the key (settings, --api-key or the provider\'s environment variable) and your account balance.' },
  KEY_MISSING: { retryable: false, message: 'No API key is set. Add one in settings, pass --api-key, or set the provider\'s environment variable.' },
  ENDPOINT_INVALID: { retryable: false, message: 'The endpoint URL is not valid. Use wss://host/path (ws:// is only allowed for 127.0.0.1, ::1 or localhost).' },
  CONNECT_FAILED: { retryable: false, message: 'Earshot could not connect to the speech service, so nothing was transcribed. Check the endpoint, your network and any proxy or firewall, then start again.' },
  HANDSHAKE_FAILED: { retryable: true, message: 'The speech service did not accept the connection. Earshot will keep retrying.' },
  NETWORK: { retryable: true, message: 'The connection to the speech service was lost. Reconnecting; audio is kept and will be sent when the link is back.' },
  LINK_STALLED: { retryable: true, message: 'The speech service stopped answering. Reconnecting; audio is kept.' },
  SERVER_ERROR: { retryable: true, message: 'The speech service reported an error. Reconnecting.' },
  RATE_LIMITED: { retryable: true, message: 'The speech service is limiting new sessions. Waiting before retrying.' },
  RECONFIGURING: { retryable: true, message: 'Switching to the new setting: reconnecting; audio is kept and sent again, so nothing said is lost.' },
  SESSION_EXPIRED: { retryable: true, message: 'The speech service ended the session at its time limit. Starting a new one; nothing is lost.' },
  PROTOCOL: { retryable: false, message: 'The speech service sent a message Earshot could not understand. It was skipped.' },
  CLIENT_REJECTED: { retryable: false, message: 'The speech service rejected what Earshot sent. Please report this as a bug.' },
  CONFIG_REJECTED: { retryable: false, message: 'The speech service rejected the settings (model, language or another option). Check them and try again.' },
  FLUSH_TIMEOUT: { retryable: false, message: 'The speech service did not confirm the end of the stream in time; the transcript may miss the last words.' },
  BACKLOG_OVERFLOW: { retryable: false, message: 'The connection was down longer than the audio backlog holds; the oldest audio was dropped.' },
  SPEED_REDUCED: { retryable: false, message: 'The speech service is not taking audio as fast as the file is read, so Earshot reads the file slower than asked. No audio is dropped.' },
  AUDIO_OVERFLOW: { retryable: false, message: 'The audio device delivered more than Earshot could read; some audio was lost. Close busy programs or pick a larger frame size.' },
  DEVICE_NOT_FOUND: { retryable: false, message: 'The audio device was not found. Run `earshot devices` to list the devices and use an id or name from that list.' },
  DEVICE_OPEN_FAILED: { retryable: false, message: 'The audio device could not be opened. Check that it is connected and not in exclusive use by another program.' },
  DEVICE_LOST: { retryable: true, message: 'The audio device stopped delivering audio. Check that it is still connected.' },
  DEVICE_RESUMED: { retryable: false, message: 'The audio device is delivering audio again; captions continue.' },
  SYSTEM_AUDIO_UNSUPPORTED: { retryable: false, message: 'System audio capture from the command line works on Linux (PulseAudio/PipeWire). On Windows and macOS use the desktop app.' },
  FILE_NOT_FOUND: { retryable: false, message: 'The audio file does not exist or cannot be read.' },
  WAV_UNSUPPORTED: { retryable: false, message: 'This audio file format is not supported. Convert it to PCM WAV, for example: ffmpeg -i input -ac 1 -ar 16000 -c:a pcm_s16le output.wav' },
  WAV_CORRUPT: { retryable: false, message: 'The WAV file is damaged or not a WAV file.' },
  BAD_ARGUMENT: { retryable: false, message: 'An option has an invalid value.' },
  SPEAKERS_UNSUPPORTED: { retryable: false, message: 'This speech service cannot tell speakers apart while captioning. Turn speaker labels off, or choose a service that can.' },
  FILE_TOO_LARGE: { retryable: false, message: 'The file is larger than the service accepts. Transcribe it in parts, for example: ffmpeg -i input -f segment -segment_time 3600 -c copy part%03d.wav' },
  TRANSCRIPTION_FAILED: { retryable: false, message: 'The speech service could not transcribe the file.' },
  CANCELLED: { retryable: false, message: 'Cancelled; nothing was saved.' },
  OUTPUT_FAILED: { retryable: false, message: 'The transcript could not be written. Check the path and free disk space.' },
  NOTICE: { retryable: false, message: 'Earshot has a message for you.' },
  INTERNAL: { retryable: false, message: 'Something went wrong inside Earshot. Please report this as a bug.' },
} as const satisfies Record<string, { retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** What crosses IPC, the browser overlay feed and the CLI's JSON logs. */
export interface ErrorInfo {
  code: ErrorCode;
  /** What happened and what to do, for a person. */
  message: string;
  /** Specifics: file name, HTTP status, close code, server text. Never contains a key. */
  detail?: string;
  retryable: boolean;
}

export class EarshotError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly retryable: boolean;
  constructor(code: ErrorCode, detail?: string, message?: string) {
    const entry = ERROR_TABLE[code];
    super(message ?? describeError(errorInfo(code, detail)));
    this.name = 'EarshotError';
    this.code = code;
    this.detail = detail;
    this.retryable = entry.retryable;
  }
  toInfo(): ErrorInfo {
    return errorInfo(this.code, this.detail);
  }
}

export function errorInfo(code: ErrorCode, detail?: string): ErrorInfo {
  const entry = ERROR_TABLE[code];
  return detail === undefined
    ? { code, message: entry.message, retryable: entry.retryable }
    : { code, message: entry.message, detail, retryable: entry.retryable };
}

/** Turns anything thrown into ErrorInfo, so a caller never has to guess. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof EarshotError) return err.toInfo();
  const text = err instanceof Error ? err.message : String(err);
  return errorInfo('INTERNAL', text);
}

/** One line for a person: the message, then the specifics in brackets. */
export function describeError(e: ErrorInfo): string {
  return e.detail ? `${e.message} (${e.detail})` : e.message;
}

/**
 * What an overlay notice shows. A NOTICE is a sentence of its own (in `detail`: a taken
 * shortcut, how to leave click-through); anything else is the table's message plus the
 * specifics, so a person sees both what happened and what to do.
 */
export function noticeText(e: ErrorInfo): string {
  return e.code === 'NOTICE' && e.detail ? e.detail : describeError(e);
}

/** Shows at most the last four characters of a secret. */
export function redactKey(key: string | undefined): string {
  if (!key) return '(none)';
  return key.length <= 4 ? '****' : `****${key.slice(-4)}`;
}

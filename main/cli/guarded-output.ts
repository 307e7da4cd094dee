/**
 * stdout and stderr that can die without taking the captions with them. A reader that
 * quits (`earshot caption … | head -1`), a closed terminal or a full disk (`> /dev/full`)
 * turns the next write into an EPIPE, EIO or ENOSPC error event; unhandled, that kills the
 * process and the `--out` transcript is never finished. Here the first error marks the
 * stream dead: later writes are dropped and captioning carries on.
 */
import type { TerminalOut } from './terminal-view.js';

export interface GuardedOut extends TerminalOut {
  /** The stream failed once; nothing more is written to it. */
  readonly dead: boolean;
  /** Resolves once what was written has reached the OS, or at once if the stream is dead. */
  drain(): Promise<void>;
}

export interface WritableTarget {
  write(text: string, callback?: (err?: Error | null) => void): boolean;
  on(event: 'error', listener: (err: Error) => void): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly writableLength?: number;
}

export function guardOutput(stream: WritableTarget, onDead?: (err: Error) => void): GuardedOut {
  let dead = false;
  const die = (err: unknown) => {
    if (dead) return;
    dead = true;
    onDead?.(err instanceof Error ? err : new Error(String(err)));
  };
  // Registered for the life of the process: Node reports every later failure here too
  // (including writes by other modules to the same stream).
  stream.on('error', die);
  return {
    write(text) {
      if (dead) return;
      try {
        stream.write(text);
      } catch (err) {
        // A synchronous stream (a file) can throw instead of emitting.
        die(err);
      }
    },
    get isTTY() {
      return !dead && Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns ?? 80;
    },
    get dead() {
      return dead;
    },
    drain() {
      if (dead || !stream.writableLength) return Promise.resolve();
      return new Promise((resolve) => {
        try {
          stream.write('', () => resolve());
        } catch {
          resolve();
        }
        stream.on('error', () => resolve());
      });
    },
  };
}

/**
 * Bounded hand-over between a push-style producer (a capture callback) and an async-iterating
 * consumer. When the consumer falls behind by more than `maxBytes`, the oldest chunks are dropped
 * and push() says how many bytes went, so the caller can report the loss.
 */
export class ChunkQueue {
  private items: Buffer[] = [];
  private bytes = 0;
  private ended = false;
  private failure: unknown = null;
  private waiter: (() => void) | null = null;

  constructor(private readonly maxBytes: number) {}

  /** Queues a chunk; returns the bytes dropped to make room (0 normally). */
  push(chunk: Buffer): number {
    if (this.ended) return 0;
    this.items.push(chunk);
    this.bytes += chunk.length;
    let dropped = 0;
    while (this.bytes > this.maxBytes && this.items.length > 1) {
      const old = this.items.shift() as Buffer;
      this.bytes -= old.length;
      dropped += old.length;
    }
    this.wake();
    return dropped;
  }

  /** No more chunks; iteration ends after what is queued (or at once, with `discard`). */
  end(discard = false): void {
    this.ended = true;
    if (discard) {
      this.items = [];
      this.bytes = 0;
    }
    this.wake();
  }

  /** Ends iteration with an error after what is queued. */
  fail(err: unknown): void {
    this.failure ??= err;
    this.end();
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  async *drain(): AsyncGenerator<Buffer> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        this.bytes -= next.length;
        yield next;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

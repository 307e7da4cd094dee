/**
 * Holds pushes for a page until it has loaded. Electron drops a webContents.send() made
 * while the page is still loading (nothing in the page listens yet), so a shortcut refused
 * at start-up or a damaged-settings notice would never be seen. Bounded: past `limit` the
 * oldest are dropped and counted, and the count is reported when the page opens.
 */
export class PendingSends<T> {
  private readonly queue: T[] = [];
  private dropped = 0;
  private open = false;

  constructor(private readonly deliver: (item: T) => void, private readonly limit = 32) {}

  /** Delivers now if the page has loaded, otherwise keeps it for later. */
  push(item: T): void {
    if (this.open) { this.deliver(item); return; }
    this.queue.push(item);
    if (this.queue.length > this.limit) { this.queue.shift(); this.dropped++; }
  }

  /** The page loaded (again): deliver what waited, in order. Returns how many were dropped. */
  opened(): number {
    this.open = true;
    for (const item of this.queue.splice(0)) this.deliver(item);
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }

  /** The page is loading (again, e.g. after a renderer crash): hold pushes until opened(). */
  closed(): void {
    this.open = false;
  }
}

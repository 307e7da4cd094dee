/**
 * The audio that may still have to be (re)sent: a bounded ring of int16 mono samples indexed
 * by their position on the session timeline (0 = first sample ever appended). The session
 * trims it as results become final; when a link stays down too long the oldest samples are
 * dropped and the count is reported, never silently lost.
 */
export class AudioBacklog {
  private readonly ring: Int16Array;
  private start = 0;
  private end = 0;
  private dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`backlog capacity must be a positive integer, got ${capacity}`);
    this.ring = new Int16Array(capacity);
  }

  /** Timeline index of the oldest sample held. */
  get startIndex(): number {
    return this.start;
  }

  /** Timeline index one past the newest sample (= samples appended so far). */
  get endIndex(): number {
    return this.end;
  }

  get length(): number {
    return this.end - this.start;
  }

  /** Samples dropped by overflow since creation. */
  get droppedTotal(): number {
    return this.dropped;
  }

  /** Appends at the head. Returns how many of the oldest samples were dropped to make room. */
  append(samples: Int16Array): number {
    const n = samples.length;
    if (n === 0) return 0;
    const overflow = Math.max(0, this.length + n - this.capacity);
    // Only the newest `capacity` samples of a huge append can survive.
    const src = n > this.capacity ? samples.subarray(n - this.capacity) : samples;
    const skipped = n - src.length;
    let at = (this.end + skipped) % this.capacity;
    let offset = 0;
    while (offset < src.length) {
      const chunk = Math.min(src.length - offset, this.capacity - at);
      this.ring.set(src.subarray(offset, offset + chunk), at);
      offset += chunk;
      at = (at + chunk) % this.capacity;
    }
    this.end += n;
    this.start += overflow;
    this.dropped += overflow;
    return overflow;
  }

  /** A copy of `count` samples from timeline index `from`; both must lie inside the backlog. */
  read(from: number, count: number): Int16Array {
    if (from < this.start || count < 0 || from + count > this.end) {
      throw new RangeError(`backlog read [${from}, ${from + count}) outside [${this.start}, ${this.end})`);
    }
    const out = new Int16Array(count);
    let at = from % this.capacity;
    let offset = 0;
    while (offset < count) {
      const chunk = Math.min(count - offset, this.capacity - at);
      out.set(this.ring.subarray(at, at + chunk), offset);
      offset += chunk;
      at = 0;
    }
    return out;
  }

  /** Forgets everything before `index` (clamped to the held range). */
  trimBefore(index: number): void {
    this.start = Math.max(this.start, Math.min(Math.floor(index), this.end));
  }
}

/**
 * Calls every listener with `event`. A listener that throws cannot stop the others or leave
 * the caller half-updated; its error still surfaces loudly, as an uncaught exception on the
 * next microtask, so a consumer's bug is never swallowed.
 */
export function notifyAll<E>(listeners: Iterable<(event: E) => void>, event: E): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

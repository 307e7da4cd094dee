/**
 * Makes a stand-in object refuse what it does not implement: reading any property that the
 * object does not have throws "stand-in: X not implemented", and listening for an event
 * that is not in the object's list throws too, so a new Electron call in main/app fails the
 * end-to-end test loudly instead of passing silently against a do-nothing fake.
 */
import { EventEmitter } from 'node:events';

/** Property reads that JavaScript itself makes (await, JSON, inspection) answer undefined, as on a real object. */
const PROBES = new Set<string | symbol>(['then', 'toJSON', 'constructor']);

export function notImplemented(what: string): Error {
  return new Error(`stand-in: ${what} not implemented`);
}

export function strict<T extends object>(target: T, name: string): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'symbol' || prop in t || PROBES.has(prop)) {
        const value: unknown = Reflect.get(t, prop, receiver);
        // Methods run against the real object so private fields keep working.
        return typeof value === 'function' && typeof prop === 'string' && !PROBES.has(prop) ? value.bind(t) : value;
      }
      throw notImplemented(`${name}.${prop}`);
    },
    set(t, prop, value) {
      if (typeof prop === 'symbol' || prop in t) return Reflect.set(t, prop, value);
      throw notImplemented(`setting ${name}.${String(prop)}`);
    },
  });
}

/**
 * An EventEmitter that accepts listeners only for the events the stand-in emits (or that
 * Electron documents and the stand-in knowingly never emits, listed in `silent`).
 */
export class StrictEmitter extends EventEmitter {
  constructor(private readonly emitterName: string, private readonly known: readonly string[]) {
    super();
  }

  private check(event: string | symbol): void {
    if (typeof event === 'string' && !this.known.includes(event) && event !== 'newListener' && event !== 'removeListener') {
      throw notImplemented(`${this.emitterName} event '${event}'`);
    }
  }

  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    this.check(event);
    return super.on(event, listener);
  }

  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    this.check(event);
    return super.once(event, listener);
  }

  override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return this.on(event, listener);
  }
}

/** The event object Electron passes to preventable events. */
export interface PreventableEvent {
  preventDefault(): void;
  readonly defaultPrevented: boolean;
}

export function preventableEvent(extra: Record<string, unknown> = {}): PreventableEvent {
  let prevented = false;
  return {
    ...extra,
    preventDefault: () => { prevented = true; },
    get defaultPrevented() { return prevented; },
  };
}

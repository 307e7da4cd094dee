/**
 * ipcMain and the renderer half (ipcRenderer) that each window's preload gets. Every value
 * that crosses between a page and main goes through structuredClone, so a payload Electron
 * could not send (a function, a class with methods lost, a DOM node) fails the same way.
 * https://www.electronjs.org/docs/latest/api/ipc-main
 * https://www.electronjs.org/docs/latest/api/ipc-renderer
 */
import { EventEmitter } from 'node:events';
import { notImplemented, strict } from './strict.js';

/** What main sees of the sending page: the parts of WebContents/WebFrameMain that ipc events carry. */
export interface SenderContents {
  readonly id: number;
  readonly mainFrame: SenderFrame;
  isDestroyed(): boolean;
}
export interface SenderFrame {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
}

type InvokeListener = (event: unknown, ...args: unknown[]) => unknown;

/** Electron's IPC serialisation is the structured clone algorithm. */
export function cloneForIpc<T>(value: T, what: string): T {
  try {
    return structuredClone(value);
  } catch (err) {
    // https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrendererinvokechannel-args:
    // "Sending Functions, Promises, Symbols, WeakMaps, or WeakSets will throw an exception."
    throw new Error(`${what}: An object could not be cloned. (${(err as Error).message})`);
  }
}

class IpcMainStandin extends EventEmitter {
  private readonly handlers = new Map<string, InvokeListener>();

  // https://www.electronjs.org/docs/latest/api/ipc-main#ipcmainhandlechannel-listener
  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  // https://www.electronjs.org/docs/latest/api/ipc-main#ipcmainhandleoncechannel-listener
  handleOnce(channel: string, listener: InvokeListener): void {
    this.handle(channel, (e, ...a) => { this.removeHandler(channel); return listener(e, ...a); });
  }

  // https://www.electronjs.org/docs/latest/api/ipc-main#ipcmainremovehandlerchannel
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** ipcRenderer.invoke arriving in main. */
  async invokeFrom(sender: SenderContents, channel: string, args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    // https://www.electronjs.org/docs/latest/api/ipc-main#ipcmainhandlechannel-listener: errors reach the renderer as
    // "Error invoking remote method '<channel>': <error>"; only the message is kept.
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    try {
      return cloneForIpc(await handler(invokeEvent(sender), ...cloneForIpc(args, `ipcRenderer.invoke('${channel}')`)), `reply to '${channel}'`);
    } catch (err) {
      throw new Error(`Error invoking remote method '${channel}': ${String(err)}`);
    }
  }

  /** ipcRenderer.send arriving in main. */
  sendFrom(sender: SenderContents, channel: string, args: unknown[]): void {
    const cloned = cloneForIpc(args, `ipcRenderer.send('${channel}')`);
    // Delivered on a later turn, as a message from another process would be.
    setImmediate(() => this.emit(channel, ipcEvent(sender), ...cloned));
  }
}

// https://www.electronjs.org/docs/latest/api/structures/ipc-main-invoke-event
function invokeEvent(sender: SenderContents) {
  const frame = sender.isDestroyed() ? null : sender.mainFrame;
  return strict({
    type: 'frame', processId: frame?.processId ?? -1, frameId: frame?.routingId ?? -1,
    sender, senderFrame: frame, preventDefault: () => undefined, defaultPrevented: false,
  }, 'IpcMainInvokeEvent');
}

// https://www.electronjs.org/docs/latest/api/structures/ipc-main-event
function ipcEvent(sender: SenderContents) {
  const frame = sender.isDestroyed() ? null : sender.mainFrame;
  return strict({
    type: 'frame', processId: frame?.processId ?? -1, frameId: frame?.routingId ?? -1,
    sender, senderFrame: frame, ports: [],
    reply: () => { throw notImplemented('IpcMainEvent.reply'); },
  }, 'IpcMainEvent');
}

export const ipcMainImpl = new IpcMainStandin();
export const ipcMain = strict(ipcMainImpl, 'ipcMain');

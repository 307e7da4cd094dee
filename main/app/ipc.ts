/**
 * Registers one ipcMain handler per channel of the contract. Every message is checked
 * (sender page, main frame, channel allowed for that page, payload shape) before its
 * handler runs; refused messages are logged and answered with an error, never handled.
 */
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { InvokeChannels, MainToRenderer, PageId, SendChannels } from '../../shared/ipc-contract.js';
import { checkMessage, pageOfUrl, type SenderInfo } from './ipc-validate.js';

export type InvokeHandlers = {
  [K in keyof InvokeChannels]: (payload: InvokeChannels[K]['req'], page: PageId) => InvokeChannels[K]['res'] | Promise<InvokeChannels[K]['res']>;
};
export type SendHandlers = { [K in keyof SendChannels]: (payload: SendChannels[K]) => void };

function senderOf(event: IpcMainEvent | IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return { url: frame?.url ?? null, isMainFrame: frame !== null && frame === event.sender.mainFrame };
}

export function setupIpc(invoke: InvokeHandlers, send: SendHandlers, log: (message: string) => void): () => void {
  const invokeChannels = Object.keys(invoke) as (keyof InvokeChannels)[];
  for (const channel of invokeChannels) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      const checked = checkMessage(channel, senderOf(event), payload);
      if (!checked.ok) {
        log(`IPC refused: ${checked.reason}`);
        throw new Error('Request refused');
      }
      const handler = invoke[channel] as (p: unknown, page: PageId) => unknown;
      return handler(checked.value.payload, checked.value.page);
    });
  }
  const sendChannels = Object.keys(send) as (keyof SendChannels)[];
  const listeners = sendChannels.map((channel) => {
    const listener = (event: IpcMainEvent, payload: unknown) => {
      const checked = checkMessage(channel, senderOf(event), payload);
      if (!checked.ok) {
        log(`IPC refused: ${checked.reason}`);
        return;
      }
      (send[channel] as (p: unknown) => void)(checked.value.payload);
    };
    ipcMain.on(channel, listener);
    return { channel, listener };
  });
  return () => {
    for (const c of invokeChannels) ipcMain.removeHandler(c);
    for (const { channel, listener } of listeners) ipcMain.off(channel, listener);
  };
}

/** Sends to a page's window only if it still shows that page (never to a navigated frame). */
export function sendToPage<K extends keyof MainToRenderer>(contents: WebContents | undefined, page: PageId, channel: K, payload: MainToRenderer[K]): void {
  if (!contents || contents.isDestroyed()) return;
  if (pageOfUrl(contents.getURL()) !== page) return;
  contents.send(channel, payload);
}

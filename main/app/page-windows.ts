/**
 * The settings and history windows: ordinary framed windows, one of each, focused when
 * asked for again. Closing the settings window ends any live style preview.
 */
import { BrowserWindow } from 'electron';
import { pageUrl, type PageId } from '../../shared/ipc-contract.js';
import { secureWebPreferences } from './web-preferences.js';

export type PageWindowId = Extract<PageId, 'settings' | 'history'>;

const SIZES: Record<PageWindowId, { width: number; height: number; title: string }> = {
  settings: { width: 760, height: 820, title: 'Earshot settings' },
  history: { width: 760, height: 720, title: 'Earshot history' },
};

export class PageWindows {
  private readonly open = new Map<PageWindowId, BrowserWindow>();

  constructor(private readonly options: { preload: string; devTools: boolean; icon?: string; onClosed?(id: PageWindowId): void }) {}

  show(id: PageWindowId): BrowserWindow {
    const existing = this.open.get(id);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const size = SIZES[id];
    const win = new BrowserWindow({
      width: size.width,
      height: size.height,
      minWidth: 480,
      minHeight: 400,
      title: size.title,
      show: false,
      autoHideMenuBar: true,
      ...(this.options.icon ? { icon: this.options.icon } : {}),
      webPreferences: secureWebPreferences(this.options.preload, { devTools: this.options.devTools }),
    });
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      this.open.delete(id);
      this.options.onClosed?.(id);
    });
    this.open.set(id, win);
    void win.loadURL(pageUrl(id));
    return win;
  }

  get(id: PageWindowId): BrowserWindow | undefined {
    const w = this.open.get(id);
    return w && !w.isDestroyed() ? w : undefined;
  }

  closeAll(): void {
    for (const w of this.open.values()) if (!w.isDestroyed()) w.close();
  }
}

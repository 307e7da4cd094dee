/**
 * The desktop-facing modules: clipboard (the Chromium clipboard, which every page shares),
 * dialog (answers queued by the test), globalShortcut, safeStorage, screen (one display),
 * Menu/MenuItem, Tray and nativeImage. Test-visible state lives on the exported records.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { BrowserWindowStandin } from './browser-window.js';
import { notImplemented, strict, StrictEmitter } from './strict.js';
import { world } from './world.js';

// ---------------------------------------------------------------- clipboard

let clipboardText = '';
let clipboardSync: Promise<void> = Promise.resolve();

/** Puts text on Chromium's clipboard the way a person does: select it in a page and press Ctrl+C. */
async function copyInChromium(text: string): Promise<void> {
  const browser = world.browser;
  if (!browser) return;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.setContent('<textarea id="t"></textarea>');
    await page.fill('#t', text);
    await page.focus('#t');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
  } finally {
    await context.close();
  }
}

export const clipboard = strict({
  // https://www.electronjs.org/docs/latest/api/clipboard#clipboardwritetexttext-type
  writeText: (text: string) => {
    clipboardText = String(text);
    const t = clipboardText;
    clipboardSync = clipboardSync.then(() => copyInChromium(t)).catch((err: unknown) => { world.problems.push(`clipboard: ${String(err)}`); });
  },
  // https://www.electronjs.org/docs/latest/api/clipboard#clipboardreadtexttype
  // Text copied inside a page is not seen here; the app never reads the clipboard.
  readText: () => clipboardText,
}, 'clipboard');

/** Test access: resolves when the last writeText has reached Chromium. */
export function clipboardSettled(): Promise<void> {
  return clipboardSync;
}

// ---------------------------------------------------------------- dialog

type SaveOptions = Record<string, unknown>;

// https://www.electronjs.org/docs/latest/api/dialog#dialogshowsavedialogwindow-options
async function showSaveDialog(a: unknown, b?: unknown): Promise<{ canceled: boolean; filePath?: string }> {
  const parent = a instanceof BrowserWindowStandin ? a : null;
  const options = (parent ? b : a) as SaveOptions;
  world.saveDialogs.push({ options, parentTitle: parent ? parent.getTitle() : null });
  const answer = world.saveAnswers.shift();
  if (!answer) throw new Error('stand-in: showSaveDialog was called but the test queued no answer');
  // "filePath String - If the dialog is canceled, this will be an empty string."
  return answer.canceled ? { canceled: true, filePath: '' } : { canceled: false, filePath: answer.filePath ?? '' };
}

// https://www.electronjs.org/docs/latest/api/dialog#dialogshowopendialogwindow-options
// Resolves with { canceled, filePaths }: "filePaths string[] - An array of file paths chosen by
// the user. If the dialog is cancelled this will be an empty array."
async function showOpenDialog(a: unknown, b?: unknown): Promise<{ canceled: boolean; filePaths: string[] }> {
  const parent = a instanceof BrowserWindowStandin ? a : null;
  const options = (parent ? b : a) as SaveOptions;
  world.openDialogs.push({ options, parentTitle: parent ? parent.getTitle() : null });
  const answer = world.openAnswers.shift();
  if (!answer) throw new Error('stand-in: showOpenDialog was called but the test queued no answer');
  return answer.canceled ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: answer.filePaths ?? [] };
}

export const dialog = strict({
  showSaveDialog,
  showOpenDialog,
  // https://www.electronjs.org/docs/latest/api/dialog#dialogshowerrorboxtitle-content
  showErrorBox: (title: string, content: string) => { world.errorBoxes.push({ title, content }); },
}, 'dialog');

// ---------------------------------------------------------------- globalShortcut

export const shortcuts = new Map<string, () => void>();

export const globalShortcut = strict({
  // https://www.electronjs.org/docs/latest/api/global-shortcut#globalshortcutregisteraccelerator-callback
  register: (accelerator: string, callback: () => void): boolean => {
    if (shortcuts.has(accelerator)) return false;
    shortcuts.set(accelerator, callback);
    return true;
  },
  // https://www.electronjs.org/docs/latest/api/global-shortcut#globalshortcutisregisteredaccelerator
  isRegistered: (accelerator: string) => shortcuts.has(accelerator),
  // https://www.electronjs.org/docs/latest/api/global-shortcut#globalshortcutunregisteraccelerator
  unregister: (accelerator: string) => { shortcuts.delete(accelerator); },
  // https://www.electronjs.org/docs/latest/api/global-shortcut#globalshortcutunregisterall
  unregisterAll: () => { shortcuts.clear(); },
}, 'globalShortcut');

// ---------------------------------------------------------------- safeStorage

type Backend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';
export const secrets = { backend: 'gnome_libsecret' as Backend, key: createHash('sha256').update('earshot stand-in keyring').digest() };

function encryptionAvailable(): boolean {
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestorageisencryptionavailable:
  // "On Linux, returns true if the app has emitted the ready event and the secret key is available."
  return world.browser !== null && secrets.backend !== 'unknown';
}

function encrypt(plain: string): Buffer {
  if (!encryptionAvailable()) throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.');
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', secrets.key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([Buffer.from('v11'), iv, c.getAuthTag(), body]);
}

function decrypt(data: Buffer): string {
  if (!encryptionAvailable()) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString. Decryption is not available.');
  try {
    if (data.subarray(0, 3).toString() !== 'v11') throw new Error('bad prefix');
    const d = createDecipheriv('aes-256-gcm', secrets.key, data.subarray(3, 15));
    d.setAuthTag(data.subarray(15, 31));
    return Buffer.concat([d.update(data.subarray(31)), d.final()]).toString('utf8');
  } catch {
    throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
  }
}

export const safeStorage = strict({
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestorageisencryptionavailable
  isEncryptionAvailable: encryptionAvailable,
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestorageencryptstringplaintext
  encryptString: encrypt,
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestoragedecryptstringencrypted
  decryptString: decrypt,
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestoragegetselectedstoragebackend-linux
  getSelectedStorageBackend: (): Backend => (world.browser ? secrets.backend : 'unknown'),
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestoragesetuseplaintextencryptionuseplaintext
  setUsePlainTextEncryption: (on: boolean) => { if (on) secrets.backend = 'basic_text'; },
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestorageisasyncencryptionavailable
  isAsyncEncryptionAvailable: async () => encryptionAvailable(),
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestorageencryptstringasyncplaintext
  encryptStringAsync: async (plain: string) => encrypt(plain),
  // https://www.electronjs.org/docs/latest/api/safe-storage#safestoragedecryptstringasyncencrypted
  decryptStringAsync: async (data: Buffer) => ({ shouldReEncrypt: false, result: decrypt(data) }),
}, 'safeStorage');

// ---------------------------------------------------------------- screen

// https://www.electronjs.org/docs/latest/api/structures/display
const DISPLAY = {
  id: 1, label: 'Stand-in display', bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  workArea: { x: 0, y: 0, width: 1920, height: 1040 }, size: { width: 1920, height: 1080 },
  workAreaSize: { width: 1920, height: 1040 }, scaleFactor: 1, rotation: 0, internal: false,
  monochrome: false, accelerometerSupport: 'unknown', touchSupport: 'unknown', colorDepth: 24, colorSpace: '',
  depthPerComponent: 8, displayFrequency: 60, detected: true, maximumCursorSize: { width: 0, height: 0 }, nativeOrigin: { x: 0, y: 0 },
};

const screenImpl = Object.assign(new StrictEmitter('screen', ['display-added', 'display-removed', 'display-metrics-changed']), {
  // https://www.electronjs.org/docs/latest/api/screen#screengetalldisplays
  getAllDisplays: () => [structuredClone(DISPLAY)],
  // https://www.electronjs.org/docs/latest/api/screen#screengetprimarydisplay
  getPrimaryDisplay: () => structuredClone(DISPLAY),
  // https://www.electronjs.org/docs/latest/api/screen#screengetdisplaymatchingrect
  getDisplayMatching: () => structuredClone(DISPLAY),
  // https://www.electronjs.org/docs/latest/api/screen#screengetdisplaynearestpointpoint
  getDisplayNearestPoint: () => structuredClone(DISPLAY),
});
export const screen = strict(screenImpl, 'screen');

// ---------------------------------------------------------------- Menu, MenuItem

interface MenuItemOptions {
  label?: string; type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio'; checked?: boolean; enabled?: boolean;
  visible?: boolean; accelerator?: string; registerAccelerator?: boolean; role?: string; id?: string;
  submenu?: MenuItemOptions[]; click?: (item: MenuItemStandin, window: unknown, event: unknown) => void;
}

// https://www.electronjs.org/docs/latest/api/menu-item
let nextItem = 1;

export class MenuItemStandin {
  /** Identity that survives the strict proxy (the menu holds proxies, methods run on the target). */
  readonly uid = nextItem++;
  readonly label: string;
  readonly type: NonNullable<MenuItemOptions['type']>;
  checked: boolean;
  enabled: boolean;
  visible: boolean;
  readonly accelerator: string | undefined;
  readonly role: string | undefined;
  readonly id: string | undefined;
  readonly submenu: MenuStandin | undefined;
  private readonly onClick: MenuItemOptions['click'];

  constructor(o: MenuItemOptions, readonly menu: MenuStandin) {
    if (o.role !== undefined && !(o.role in ROLES)) throw notImplemented(`MenuItem role '${o.role}'`);
    const role = o.role ? ROLES[o.role] : undefined;
    if (role?.submenu && !o.submenu) o = { ...o, submenu: role.submenu() };
    this.type = o.type ?? (o.submenu ? 'submenu' : 'normal');
    this.label = o.label ?? role?.label ?? '';
    this.checked = o.checked ?? false;
    this.enabled = o.enabled ?? true;
    this.visible = o.visible ?? true;
    this.accelerator = o.accelerator;
    this.role = o.role;
    this.id = o.id;
    this.submenu = o.submenu ? MenuStandin.buildFromTemplate(o.submenu) : undefined;
    this.onClick = o.click;
  }

  // https://www.electronjs.org/docs/latest/api/menu-item#menuitemclick: what a person's click does:
  // checkboxes toggle, a radio item becomes the checked one of its group, then the handler runs.
  click(event: unknown = {}, focusedWindow: unknown = null): void {
    if (!this.enabled || !this.visible) throw new Error(`stand-in: the menu item '${this.label}' is disabled or hidden; a person cannot click it`);
    if (this.type === 'checkbox') this.checked = !this.checked;
    if (this.type === 'radio') {
      const items = this.menu.items;
      const at = items.findIndex((i) => i.uid === this.uid);
      let start = at;
      while (start > 0 && items[start - 1]!.type === 'radio') start--;
      for (let i = start; i < items.length && items[i]!.type === 'radio'; i++) items[i]!.checked = items[i]!.uid === this.uid;
    }
    // https://www.electronjs.org/docs/latest/api/menu-item#roles: "When specifying a role, click will be ignored".
    const command = this.role ? ROLES[this.role]?.command : undefined;
    if (command) {
      const target = (focusedWindow as BrowserWindowStandin | null) ?? (world.focusedWindow as BrowserWindowStandin | null);
      if (target && !target.isDestroyed()) target.webContents[command]();
      return;
    }
    this.onClick?.(this, focusedWindow, event);
  }
}

type EditCommand = 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'delete' | 'selectAll';

/** The roles this stand-in implements; any other role throws when the item is built. */
const ROLES: Record<string, { label: string; command?: EditCommand; submenu?: () => MenuItemOptions[] }> = {
  undo: { label: 'Undo', command: 'undo' },
  redo: { label: 'Redo', command: 'redo' },
  cut: { label: 'Cut', command: 'cut' },
  copy: { label: 'Copy', command: 'copy' },
  paste: { label: 'Paste', command: 'paste' },
  delete: { label: 'Delete', command: 'delete' },
  selectAll: { label: 'Select All', command: 'selectAll' },
  // https://www.electronjs.org/docs/latest/api/menu-item#roles: "editMenu - Whole default 'Edit' menu (Undo, Copy, etc.)".
  editMenu: {
    label: 'Edit',
    submenu: () => [
      { role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' },
      ...(process.platform === 'darwin' ? [{ role: 'delete' }, { role: 'selectAll' }] : [{ role: 'delete' }, { type: 'separator' as const }, { role: 'selectAll' }]),
    ],
  },
};


// https://www.electronjs.org/docs/latest/api/menu
export class MenuStandin {
  static applicationMenu: MenuStandin | null = null;
  /** Every menu.popup() call, for the test to click in. */
  static readonly popups: { menu: MenuStandin; options: Record<string, unknown> }[] = [];
  readonly items: MenuItemStandin[] = [];

  // https://www.electronjs.org/docs/latest/api/menu#menupopupoptions
  popup(options: Record<string, unknown> = {}): void {
    MenuStandin.popups.push({ menu: this, options });
  }

  // https://www.electronjs.org/docs/latest/api/menu#menuclosepopupwindow
  closePopup(): void {
    const at = MenuStandin.popups.findIndex((p) => p.menu === this);
    if (at >= 0) MenuStandin.popups.splice(at, 1);
  }

  // https://www.electronjs.org/docs/latest/api/menu#menubuildfromtemplatetemplate
  static buildFromTemplate(template: MenuItemOptions[]): MenuStandin {
    const m = new MenuStandin();
    for (const o of template) m.items.push(strict(new MenuItemStandin(o, m), 'MenuItem'));
    return strict(m, 'Menu');
  }

  // https://www.electronjs.org/docs/latest/api/menu#menusetapplicationmenumenu
  static setApplicationMenu(menu: MenuStandin | null): void {
    MenuStandin.applicationMenu = menu;
  }

  // https://www.electronjs.org/docs/latest/api/menu#menugetapplicationmenu
  static getApplicationMenu(): MenuStandin | null {
    return MenuStandin.applicationMenu;
  }
}

// ---------------------------------------------------------------- nativeImage, Tray

// https://www.electronjs.org/docs/latest/api/native-image
export class NativeImageStandin {
  private template = false;
  constructor(readonly path: string | null, private readonly size: { width: number; height: number }) {}
  isEmpty(): boolean { return this.size.width === 0; }
  getSize(): { width: number; height: number } { return { ...this.size }; }
  // https://www.electronjs.org/docs/latest/api/native-image#imageresizeoptions
  resize(o: { width?: number; height?: number }): NativeImageStandin {
    if (this.isEmpty()) return this;
    const width = o.width ?? Math.round(this.size.width * ((o.height ?? this.size.height) / this.size.height));
    const height = o.height ?? Math.round(this.size.height * (width / this.size.width));
    return strict(new NativeImageStandin(this.path, { width, height }), 'NativeImage');
  }
  setTemplateImage(on: boolean): void { this.template = on; }
  isTemplateImage(): boolean { return this.template; }
}

function pngSize(path: string): { width: number; height: number } {
  if (!existsSync(path)) return { width: 0, height: 0 };
  const b = readFileSync(path);
  if (b.length < 24 || b.toString('latin1', 1, 4) !== 'PNG') return { width: 0, height: 0 };
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

export const nativeImage = strict({
  // https://www.electronjs.org/docs/latest/api/native-image#nativeimagecreatefrompathpath: an empty image when the file cannot be read.
  createFromPath: (path: string) => strict(new NativeImageStandin(path, pngSize(path)), 'NativeImage'),
  createEmpty: () => strict(new NativeImageStandin(null, { width: 0, height: 0 }), 'NativeImage'),
}, 'nativeImage');

// https://www.electronjs.org/docs/latest/api/tray
export class TrayStandin extends StrictEmitter {
  static readonly all: TrayStandin[] = [];
  tooltip = '';
  contextMenu: MenuStandin | null = null;
  private destroyed = false;

  constructor(readonly image: NativeImageStandin | string) {
    super('Tray', ['click', 'right-click', 'double-click']);
    TrayStandin.all.push(this);
    return strict(this, 'Tray');
  }

  // https://www.electronjs.org/docs/latest/api/tray#traysettooltiptooltip
  setToolTip(text: string): void { this.tooltip = text; }
  // https://www.electronjs.org/docs/latest/api/tray#traysetcontextmenumenu
  setContextMenu(menu: MenuStandin | null): void { this.contextMenu = menu; }
  // https://www.electronjs.org/docs/latest/api/tray#traydestroy
  destroy(): void { this.destroyed = true; }
  // https://www.electronjs.org/docs/latest/api/tray#trayisdestroyed
  isDestroyed(): boolean { return this.destroyed; }
}

export const desktopCapturer = strict({}, 'desktopCapturer');
export { notImplemented };

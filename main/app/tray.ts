/**
 * The tray / menu-bar icon. The menu is rebuilt from tray-menu.ts whenever the app's state,
 * status or device list changes.
 */
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { buildTrayMenu, trayTooltip, type TrayAction, type TrayItem, type TrayModel } from './tray-menu.js';

export interface AppTray {
  update(model: TrayModel): void;
  dispose(): void;
}

function toTemplate(items: TrayItem[], dispatch: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const action = item.action;
    return {
      label: item.label ?? '',
      type: item.type ?? 'normal',
      ...(item.checked !== undefined ? { checked: item.checked } : {}),
      ...(item.enabled !== undefined ? { enabled: item.enabled } : {}),
      // Shown as a hint only: the global shortcut does the work even when the menu is closed.
      ...(item.accelerator ? { accelerator: item.accelerator, registerAccelerator: false } : {}),
      ...(item.submenu ? { submenu: toTemplate(item.submenu, dispatch) } : {}),
      ...(action ? { click: () => dispatch(action) } : {}),
    };
  });
}

export function setupTray(iconPath: string, dispatch: (a: TrayAction) => void): AppTray {
  const image = nativeImage.createFromPath(iconPath).resize({ width: 18, height: 18 });
  if (process.platform === 'darwin') image.setTemplateImage(false);
  const tray = new Tray(image);
  tray.setToolTip('Earshot');
  let lastKey = '';
  return {
    update(model) {
      const items = buildTrayMenu(model);
      const key = JSON.stringify(items);
      if (key === lastKey) return;
      lastKey = key;
      tray.setToolTip(trayTooltip(model.status));
      tray.setContextMenu(Menu.buildFromTemplate(toTemplate(items, dispatch)));
    },
    dispose() {
      tray.destroy();
    },
  };
}

/**
 * App-wide guards from Electron's security checklist: no navigation, no new windows, no
 * webviews, every permission denied (except media for the hidden capture page), no
 * application menu except the minimal one macOS needs for copy and paste. Applied to every
 * webContents as it is created, together with the text-field context menu.
 */
import { app, Menu, type Session } from 'electron';
import { allowNavigation, allowPermission } from './app-protocol.js';
import { applicationMenuTemplate, contextMenuTemplate } from './menu-templates.js';

export function setupSecurity(session: Session, log: (message: string) => void): void {
  const appMenu = applicationMenuTemplate(process.platform);
  Menu.setApplicationMenu(appMenu ? Menu.buildFromTemplate(appMenu) : null);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('context-menu', (_e, params) => {
      const template = contextMenuTemplate(params);
      if (template) Menu.buildFromTemplate(template).popup();
    });
    contents.on('will-navigate', (event, url) => {
      if (!allowNavigation(contents.getURL(), url)) {
        event.preventDefault();
        log(`blocked navigation to ${url}`);
      }
    });
    contents.on('will-redirect', (event, url) => {
      event.preventDefault();
      log(`blocked redirect to ${url}`);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      log(`blocked window.open(${url})`);
      return { action: 'deny' };
    });
  });
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(allowPermission(permission, contents.getURL()));
  });
  session.setPermissionCheckHandler((contents, permission) => allowPermission(permission, contents?.getURL() ?? ''));
}

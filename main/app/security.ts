/**
 * App-wide guards from Electron's security checklist: no navigation, no new windows, no
 * webviews, every permission denied (except display capture for the hidden capture page),
 * no application menu except the minimal one macOS needs for copy and paste. Applied to
 * every webContents as it is created, together with the text-field context menu.
 */
import { app, Menu, type Session } from 'electron';
import { allowNavigation, allowPermissionRequest } from './app-protocol.js';
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
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const requestingUrl = details.requestingUrl || contents.getURL();
    const allowed = allowPermissionRequest({ permission, requestingUrl, isMainFrame: details.isMainFrame, mediaTypes });
    if (!allowed) log(`denied permission ${permission}${mediaTypes?.length ? ` (${mediaTypes.join(', ')})` : ''} to ${requestingUrl}`);
    callback(allowed);
  });
  // No standing grants: a denied check makes Chromium ask the request handler above, which
  // is where the capture page's display capture is decided (and nothing else needs a check).
  session.setPermissionCheckHandler(() => false);
}

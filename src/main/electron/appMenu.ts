import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  /** Help ▸ the studio's guide (the README). */
  openGuide: () => void;
  /** Help ▸ the data folder in Finder / Explorer / the file manager. */
  showDataFolder: () => void;
}

/**
 * The standard application menu (macOS layout on a Mac: the app menu with About, Hide and Quit; elsewhere File ▸
 * Quit): Edit with undo/redo/cut/copy/paste/select all (without it, the text fields' shortcuts do nothing on a Mac),
 * View, Window and Help. Roles let Electron give each item its platform label, shortcut and behaviour.
 */
export function appMenuTemplate(appName: string, platform: NodeJS.Platform, actions: AppMenuActions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: appName,
          submenu: [{ role: 'about' }, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }],
        },
      ]
    : [];
  return [
    ...appMenu,
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        separator,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        ...(mac ? [{ role: 'pasteAndMatchStyle' } as const, { role: 'delete' } as const] : [{ role: 'delete' } as const]),
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, separator, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, separator, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        ...(mac ? [] : [{ role: 'about' } as const]),
        { label: `${appName} Guide`, click: () => actions.openGuide() },
        { label: 'Show the Data Folder', click: () => actions.showDataFolder() },
      ],
    },
  ];
}

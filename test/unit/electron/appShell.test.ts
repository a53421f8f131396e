import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { wireAppLifecycle } from '../../../src/main/electron/appLifecycle';
import { appMenuTemplate } from '../../../src/main/electron/appMenu';
import { revealCommand } from '../../../src/main/web-host/revealFile';

/** The desktop conventions of the Electron shell, with Electron's app and menu at the module boundary replaced. */
function roles(items: MenuItemConstructorOptions[] | undefined): string[] {
  return (items ?? []).map((item) => item.role ?? item.label ?? item.type ?? '?');
}

describe('the application menu', () => {
  const actions = { openGuide: vi.fn(), showDataFolder: vi.fn() };

  it('on a Mac: the app menu (About … Quit), Edit with undo/copy/paste, Window and Help', () => {
    const menu = appMenuTemplate('On-device Sora Studio', 'darwin', actions);
    expect(roles(menu)).toEqual(['On-device Sora Studio', 'File', 'Edit', 'View', 'windowMenu', 'help']);
    expect(roles(menu[0].submenu as MenuItemConstructorOptions[])).toEqual(['about', 'separator', 'services', 'separator', 'hide', 'hideOthers', 'unhide', 'separator', 'quit']);
    expect(roles(menu[2].submenu as MenuItemConstructorOptions[])).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'pasteAndMatchStyle', 'delete', 'selectAll']);
    expect(roles(menu[1].submenu as MenuItemConstructorOptions[])).toEqual(['close']);
    const help = menu[5].submenu as MenuItemConstructorOptions[];
    expect(roles(help)).toEqual(['On-device Sora Studio Guide', 'Show the Data Folder']);
    help[0].click?.({} as never, undefined, {} as never);
    help[1].click?.({} as never, undefined, {} as never);
    expect(actions.openGuide).toHaveBeenCalledOnce();
    expect(actions.showDataFolder).toHaveBeenCalledOnce();
  });

  it('elsewhere: no app menu; File ▸ Quit, About under Help, the same Edit', () => {
    const menu = appMenuTemplate('On-device Sora Studio', 'linux', actions);
    expect(roles(menu)).toEqual(['File', 'Edit', 'View', 'windowMenu', 'help']);
    expect(roles(menu[0].submenu as MenuItemConstructorOptions[])).toEqual(['quit']);
    expect(roles(menu[1].submenu as MenuItemConstructorOptions[])).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'delete', 'selectAll']);
    expect(roles(menu[4].submenu as MenuItemConstructorOptions[])[0]).toBe('about');
  });
});

describe('the app lifecycle', () => {
  function fakeApp(platform: NodeJS.Platform, windows: { count: number }) {
    const app = Object.assign(new EventEmitter(), { quit: vi.fn() });
    const createWindow = vi.fn(() => {
      windows.count++;
    });
    const cleanUp = vi.fn();
    wireAppLifecycle(app, { platform, windowCount: () => windows.count, createWindow, cleanUp });
    return { app, createWindow, cleanUp };
  }

  it('on a Mac: closing the last window keeps the app; activate with no window opens one, with a window does nothing', () => {
    const windows = { count: 1 };
    const { app, createWindow, cleanUp } = fakeApp('darwin', windows);
    windows.count = 0;
    app.emit('window-all-closed');
    expect(app.quit).not.toHaveBeenCalled();
    app.emit('activate');
    expect(createWindow).toHaveBeenCalledOnce();
    app.emit('activate');
    expect(createWindow).toHaveBeenCalledOnce();
    app.emit('will-quit');
    app.emit('will-quit');
    expect(cleanUp).toHaveBeenCalledOnce();
  });

  it('elsewhere: closing the last window quits', () => {
    const { app } = fakeApp('linux', { count: 0 });
    app.emit('window-all-closed');
    expect(app.quit).toHaveBeenCalledOnce();
  });
});

describe('"Reveal in Finder" in browser mode: the OS command per platform', () => {
  it('selects the file on macOS and Windows, opens its folder elsewhere', () => {
    const file = path.join('/data', 'outputs', 'run', 'clip.mp4');
    expect(revealCommand('darwin', file)).toEqual({ command: 'open', args: ['-R', file] });
    expect(revealCommand('win32', 'C:\\data\\clip.mp4')).toEqual({ command: 'explorer.exe', args: ['/select,C:\\data\\clip.mp4'] });
    expect(revealCommand('linux', file)).toEqual({ command: 'xdg-open', args: [path.dirname(file)] });
  });
});

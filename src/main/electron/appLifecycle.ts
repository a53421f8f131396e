/** What of Electron's `app` the lifecycle needs (injected, so it is tested without Electron). */
export interface AppLike {
  on(event: 'window-all-closed' | 'activate' | 'will-quit', listener: () => void): unknown;
  quit(): void;
}

export interface AppLifecycleOptions {
  platform: NodeJS.Platform;
  /** How many studio windows are open now. */
  windowCount: () => number;
  createWindow: () => void;
  /** Last call before the process ends: stop the engine, close the database. */
  cleanUp: () => void;
}

/**
 * The desktop conventions: on macOS the app stays running with no window (closing the last window does not quit)
 * and a click on its Dock icon (activate) opens a window again; elsewhere closing the last window quits. The engine
 * and database are closed once, when the app really quits.
 */
export function wireAppLifecycle(app: AppLike, options: AppLifecycleOptions): void {
  app.on('window-all-closed', () => {
    if (options.platform !== 'darwin') {
      app.quit();
    }
  });
  app.on('activate', () => {
    if (options.windowCount() === 0) {
      options.createWindow();
    }
  });
  let cleaned = false;
  app.on('will-quit', () => {
    if (!cleaned) {
      cleaned = true;
      options.cleanUp();
    }
  });
}

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, Menu, protocol, shell, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import type { RunExportFormat } from '@shared/domain/runExport';
import { StudioBackend } from './backend/studioBackend';
import { registerIpc } from './electron/ipcRouter';
import { launchUtilityEngine } from './electron/utilityEngineConnection';
import { EngineClient } from './engine-host/engineClient';
import { ModelCatalog } from './backend/modelCatalog';
import type { StudioStore } from './backend/studioStore';
import { protocolMediaUrls } from './backend/mediaRoute';
import { wireAppLifecycle } from './electron/appLifecycle';
import { appMenuTemplate } from './electron/appMenu';
import { MEDIA_SCHEME_PRIVILEGES, registerMediaProtocol } from './electron/mediaProtocol';
import { useSqliteNativeBinding } from './store/database';
import { settingsFile, STUDIO_APP_NAME } from './store/dataFolder';
import { OutputsFolderSetting } from './backend/outputsCopy';
import { openDataFolder } from './store/legacyDataFolder';
import { resolveElectronSqliteBinding } from './store/sqliteBindingPath.mjs';

/** Electron composition root: engine in a utilityProcess, one sandboxed window, the typed IPC router. */
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '..', 'renderer', 'index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;

function isTrustedUrl(url: string): boolean {
  if (devServerUrl && url.startsWith(devServerUrl)) {
    return true;
  }
  return url.startsWith(pathToFileURL(rendererIndex).href);
}

async function createWindow(backend: StudioBackend): Promise<void> {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    // The workspace's smallest layout (src/renderer/src/styles.css); below it the page would scroll sideways.
    minWidth: 1024,
    minHeight: 700,
    title: 'On-device Sora Studio',
    webPreferences: {
      preload: path.join(here, '..', 'preload', 'index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    },
  });
  const unregister = registerIpc(backend, window, isTrustedUrl);
  window.on('closed', unregister);
  // Never navigate the studio window away; open external links in the system browser.
  window.webContents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) {
      event.preventDefault();
    }
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) {
      void shell.openExternal(url);
    }
    return { action: 'deny' };
  });
  if (devServerUrl) {
    await window.loadURL(devServerUrl);
  } else {
    await window.loadFile(rendererIndex);
  }
}

// A packaged app carries models/ as an extra resource (electron-builder.yml); the engine process inherits this.
if (app.isPackaged && !process.env.STUDIO_MODELS_DIR) {
  process.env.STUDIO_MODELS_DIR = path.join(process.resourcesPath, 'models');
}

// One data folder for the window, browser mode and the CLIs: the same place userData would be, or STUDIO_DATA_DIR.
const studioFolder = openDataFolder({ log: (line) => console.log(line) });
app.setPath('userData', studioFolder.root);
if (app.getName() !== STUDIO_APP_NAME) {
  console.warn(`The app is named "${app.getName()}", not "${STUDIO_APP_NAME}" (package.json productName): its data folder is still ${studioFolder.root}.`);
}
// Clips are loaded by the renderer from disk through studio-media:// (registered before ready, as Electron requires).
protocol.registerSchemesAsPrivileged([MEDIA_SCHEME_PRIVILEGES]);

type StoreOutcome = { store: StudioStore; unavailable?: undefined } | { store?: undefined; unavailable: { reason: string; fix: string } };

/**
 * The history's database through better-sqlite3 built for Electron's ABI (`npm start` makes it into the project's
 * cache; a packaged app carries it), loaded with its `nativeBinding` option: node_modules keeps Node's build for the
 * tests and CLIs. Without it the studio runs, and the window's banner says why and what to do.
 */
async function openStore(catalog: ModelCatalog): Promise<StoreOutcome> {
  const betterSqliteVersion = (createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string }).version;
  const facts = { betterSqliteVersion, electronVersion: process.versions.electron, platform: process.platform, arch: process.arch };
  const binding = resolveElectronSqliteBinding({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, projectRoot: app.getAppPath(), facts });
  if (!fs.existsSync(binding)) {
    return {
      unavailable: {
        reason: `better-sqlite3 ${betterSqliteVersion} has no build for Electron ${facts.electronVersion} (${binding}).`,
        fix: app.isPackaged ? 'Reinstall the app.' : 'Quit and run `npm start` again with network access (it fetches a prebuilt binary, or builds one with Xcode’s command line tools).',
      },
    };
  }
  useSqliteNativeBinding(binding);
  try {
    const { openStudioStore } = await import('./backend/studioStore');
    return { store: openStudioStore(studioFolder, catalog) };
  } catch (error) {
    return {
      unavailable: {
        reason: `${studioFolder.databasePath} could not be opened: ${(error as Error).message}`,
        fix: app.isPackaged ? 'Reinstall the app.' : `Delete ${path.dirname(binding)} and run \`npm start\` again to rebuild it.`,
      },
    };
  }
}

/** "Add model…"'s Browse button: the system's folder chooser, over the studio window. */
async function pickFolder(): Promise<string | null> {
  const options: OpenDialogOptions = { properties: ['openDirectory'] };
  const window = BrowserWindow.getFocusedWindow();
  const chosen = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
}

const EXPORT_FILTERS: Record<RunExportFormat, { name: string; extensions: string[] }> = {
  mp4: { name: 'MP4 video', extensions: ['mp4'] },
  gif: { name: 'GIF animation', extensions: ['gif'] },
  png: { name: 'PNG image', extensions: ['png'] },
  json: { name: 'Reproducibility record', extensions: ['json'] },
};

/** Export's save dialog, over the studio window, in the Downloads folder by default. */
async function saveAs(suggestedName: string, format: RunExportFormat): Promise<string | null> {
  const options: SaveDialogOptions = { defaultPath: path.join(app.getPath('downloads'), suggestedName), filters: [EXPORT_FILTERS[format]] };
  const window = BrowserWindow.getFocusedWindow();
  const chosen = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return chosen.canceled || !chosen.filePath ? null : chosen.filePath;
}

void app.whenReady().then(async () => {
  registerMediaProtocol(protocol, studioFolder.root);
  const engine = new EngineClient({ launch: () => launchUtilityEngine(path.join(here, 'engineProcess.js')) });
  engine.start();
  const catalog = new ModelCatalog({ modelsDir: studioFolder.modelsDir });
  const { store, unavailable } = await openStore(catalog);
  if (unavailable) {
    console.warn(`Prompt history disabled: ${unavailable.reason} ${unavailable.fix}`);
  }
  const backend = new StudioBackend(engine, {
    outputsDir: studioFolder.outputsDir,
    runs: store?.runs,
    projects: store?.projects,
    catalog,
    pickFolder,
    saveAs,
    media: protocolMediaUrls(studioFolder.root),
    revealFile: async (file) => shell.showItemInFolder(file),
    storeUnavailable: unavailable,
    outputsFolder: new OutputsFolderSetting(settingsFile(studioFolder)),
  });
  const guide = path.join(app.getAppPath(), 'README.md');
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(STUDIO_APP_NAME, process.platform, {
        openGuide: () => void (fs.existsSync(guide) ? shell.openPath(guide) : shell.openPath(app.getAppPath())),
        showDataFolder: () => void shell.openPath(studioFolder.root),
      }),
    ),
  );
  wireAppLifecycle(app, {
    platform: process.platform,
    windowCount: () => BrowserWindow.getAllWindows().length,
    createWindow: () => void createWindow(backend),
    cleanUp: () => {
      engine.dispose();
      store?.runs.close();
    },
  });
  await createWindow(backend);
});

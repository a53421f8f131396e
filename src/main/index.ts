import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, shell, type OpenDialogOptions } from 'electron';
import { StudioBackend } from './backend/studioBackend';
import { registerIpc } from './electron/ipcRouter';
import { launchUtilityEngine } from './electron/utilityEngineConnection';
import { EngineClient } from './engine-host/engineClient';
import { ModelCatalog } from './backend/modelCatalog';
import type { StudioStore } from './backend/studioStore';
import { dataFolder, STUDIO_APP_NAME } from './store/dataFolder';
import { openDataFolder } from './store/legacyDataFolder';

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

/**
 * better-sqlite3 is a native addon built for Node's ABI by `npm ci`; Electron needs it rebuilt (`npm run package:mac`
 * does; for `npm start` run `npx @electron/rebuild -f -w better-sqlite3`). Until then the app runs without history.
 */
async function openStore(root: string, catalog: ModelCatalog): Promise<StudioStore | undefined> {
  const folder = dataFolder(root);
  try {
    const { openStudioStore } = await import('./backend/studioStore');
    return openStudioStore(folder, catalog);
  } catch (error) {
    console.warn(`Prompt history disabled (${folder.databasePath}): ${(error as Error).message}`);
    return undefined;
  }
}

/** "Add model…"'s Browse button: the system's folder chooser, over the studio window. */
async function pickFolder(): Promise<string | null> {
  const options: OpenDialogOptions = { properties: ['openDirectory'] };
  const window = BrowserWindow.getFocusedWindow();
  const chosen = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
}

// One data folder for the window, browser mode and the CLIs: the same place userData would be, or STUDIO_DATA_DIR.
const studioFolder = openDataFolder({ log: (line) => console.log(line) });
app.setPath('userData', studioFolder.root);
if (app.getName() !== STUDIO_APP_NAME) {
  console.warn(`The app is named "${app.getName()}", not "${STUDIO_APP_NAME}" (package.json productName): its data folder is still ${studioFolder.root}.`);
}

void app.whenReady().then(async () => {
  const engine = new EngineClient({ launch: () => launchUtilityEngine(path.join(here, 'engineProcess.js')) });
  engine.start();
  const catalog = new ModelCatalog({ modelsDir: studioFolder.modelsDir });
  const store = await openStore(studioFolder.root, catalog);
  const backend = new StudioBackend(engine, { outputsDir: studioFolder.outputsDir, runs: store?.runs, projects: store?.projects, catalog, pickFolder });
  await createWindow(backend);
  app.on('window-all-closed', () => {
    engine.dispose();
    store?.runs.close();
    app.quit();
  });
});

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelCatalog } from '../backend/modelCatalog';
import { httpMediaUrls } from '../backend/mediaRoute';
import { StudioBackend } from '../backend/studioBackend';
import { openStudioStore, type StudioStore } from '../backend/studioStore';
import { EngineClient } from '../engine-host/engineClient';
import { launchNodeEngine } from '../engine-host/nodeEngineConnection';
import { settingsFile, type DataFolder } from '../store/dataFolder';
import { OutputsFolderSetting } from '../backend/outputsCopy';
import { openDataFolder } from '../store/legacyDataFolder';
import { revealWithSystem } from './revealFile';
import { startWebServer } from './webServer';

/**
 * Browser mode (`npm start -- --browser`, or wherever no Electron binary exists): the renderer is served on
 * 127.0.0.1 and the engine runs in a Node child process. Prints the URL with its access token.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/**
 * The run history and projects; a file that cannot be opened is left untouched and the studio runs without them
 * (the page's banner says why and what to do).
 */
function openStore(folder: DataFolder, catalog: ModelCatalog): { store?: StudioStore; unavailable?: { reason: string; fix: string } } {
  try {
    return { store: openStudioStore(folder, catalog) };
  } catch (error) {
    const reason = `${folder.databasePath} could not be opened: ${(error as Error).message}`;
    process.stderr.write(`warning: prompt history disabled, ${reason}\n`);
    return { unavailable: { reason, fix: 'It was left untouched: close what holds it or move it away, then restart the studio.' } };
  }
}

async function main(): Promise<void> {
  const engine = new EngineClient({ launch: () => launchNodeEngine(path.join(here, 'engineProcess.js')) });
  engine.start();
  const folder = openDataFolder();
  const catalog = new ModelCatalog({ modelsDir: folder.modelsDir });
  const { store, unavailable } = openStore(folder, catalog);
  const token = process.env.STUDIO_TOKEN ?? randomBytes(18).toString('base64url');
  const media = httpMediaUrls(folder.root, token);
  const backend = new StudioBackend(engine, { outputsDir: folder.outputsDir, runs: store?.runs, projects: store?.projects, catalog, media, revealFile: revealWithSystem(), outputsFolder: new OutputsFolderSetting(settingsFile(folder)), storeUnavailable: unavailable, importerEntry: path.join(here, 'importModel.js') });
  const port = Number(argValue('--port') ?? process.env.STUDIO_PORT ?? 0);
  const server = await startWebServer({ backend, staticDir: path.join(here, '..', 'renderer'), token, port, mediaRoot: folder.root });
  // Scripts (tests, start.mjs) read this line; keep its shape.
  process.stdout.write(`Studio (browser mode) at ${server.url}\n`);
  process.stdout.write(`STUDIO_URL=${server.url}\n`);
  // The engine's pid changes when it is restarted: a line is printed each time it becomes ready (the last one is true;
  // engine.state and system.info carry it too).
  engine.onDidChangeState((state) => {
    if (state.kind === 'ready') {
      process.stdout.write(`STUDIO_ENGINE_PID=${state.processId}\n`);
    }
  });

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    engine.dispose();
    await server.close();
    store?.runs.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`The studio server could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

// better-sqlite3 for Electron, made once into the project's cache (never over node_modules/better-sqlite3, whose
// build from `npm ci` stays Node's for the tests and the CLIs). The Electron main process loads it through
// better-sqlite3's `nativeBinding` option. First a prebuilt binary for the Electron runtime (prebuild-install, where
// its host is reachable), else a source build against Electron's headers (node-gyp).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronSqliteBindingPath, SQLITE_BINDING_FILE } from '../src/main/store/sqliteBindingPath.mjs';

/** The facts the decision needs, read from the project (versions from package.json files; no Electron binary needed). */
export function readSqliteFacts(projectRoot, { platform = process.platform, arch = process.arch, env = process.env } = {}) {
  const version = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  const prebuildInstall = path.join(projectRoot, 'node_modules', 'prebuild-install', 'bin.js');
  const nodeGyp = [env.npm_config_node_gyp, path.join(projectRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find((file) => file && fs.existsSync(file));
  return {
    electronVersion: version('electron'),
    betterSqliteVersion: version('better-sqlite3'),
    platform,
    arch,
    prebuildInstall: fs.existsSync(prebuildInstall) ? prebuildInstall : undefined,
    nodeGyp,
  };
}

/**
 * What to do: nothing without Electron; use the cached build; or make it by the methods available, in order.
 * `bindingExists` says whether the cache already holds this exact build.
 */
export function planElectronSqlite(facts, bindingExists) {
  if (!facts.electronVersion) {
    return { kind: 'no-electron' };
  }
  if (!facts.betterSqliteVersion) {
    return { kind: 'cannot', reason: 'better-sqlite3 is not installed (run npm ci)' };
  }
  if (bindingExists) {
    return { kind: 'ready' };
  }
  const methods = [...(facts.prebuildInstall ? ['prebuilt'] : []), ...(facts.nodeGyp ? ['source'] : [])];
  return methods.length > 0 ? { kind: 'make', methods } : { kind: 'cannot', reason: 'neither prebuild-install nor node-gyp is available to make it' };
}

/** The package's sources copied to a staging folder, so nothing is written inside node_modules/better-sqlite3. */
function stageSources(projectRoot, staging) {
  const source = path.join(projectRoot, 'node_modules', 'better-sqlite3');
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps', 'lib']) {
    if (fs.existsSync(path.join(source, entry))) {
      fs.cpSync(path.join(source, entry), path.join(staging, entry), { recursive: true });
    }
  }
}

function commandFor(method, facts) {
  const target = [`--target=${facts.electronVersion}`, `--arch=${facts.arch}`];
  return method === 'prebuilt'
    ? { label: `a prebuilt binary for Electron ${facts.electronVersion} (prebuild-install)`, args: [facts.prebuildInstall, '--runtime=electron', ...target, `--platform=${facts.platform}`] }
    : {
        label: `a source build against Electron ${facts.electronVersion}'s headers (node-gyp)`,
        args: [facts.nodeGyp, 'rebuild', '--release', '--runtime=electron', ...target, '--dist-url=https://electronjs.org/headers'],
      };
}

function runNode(args, cwd) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_runtime: 'electron' } });
  return { ok: result.status === 0, output: `${result.stderr ?? ''}${result.stdout ?? ''}${result.error ? result.error.message : ''}` };
}

/** The line of a tool's output that says why it failed (its first error), else its last line. */
function keyLine(output) {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /Error:|warn install/.test(line)) ?? lines.pop() ?? 'no output';
}

/**
 * Makes sure the cache holds better-sqlite3 built for this project's Electron. Prints what it does through `log`.
 * Returns { ok, binding, reason? }; never throws for a failed build (the window then says why, with the fix).
 * `run(args, cwd)` runs node with args (injected in tests).
 */
export function ensureElectronSqlite(projectRoot, { facts = readSqliteFacts(projectRoot), log = (line) => process.stdout.write(`${line}\n`), run = runNode } = {}) {
  const binding = facts.electronVersion && facts.betterSqliteVersion ? electronSqliteBindingPath(projectRoot, facts) : undefined;
  const plan = planElectronSqlite(facts, Boolean(binding && fs.existsSync(binding)));
  if (plan.kind === 'no-electron' || plan.kind === 'ready') {
    return { ok: plan.kind === 'ready', binding, plan };
  }
  if (plan.kind === 'cannot') {
    log(`better-sqlite3 for Electron: ${plan.reason}; the window will run without history.`);
    return { ok: false, binding, plan, reason: plan.reason };
  }
  log(`better-sqlite3 ${facts.betterSqliteVersion} has no build for Electron ${facts.electronVersion} yet: making one in ${path.dirname(binding)} (node_modules/better-sqlite3 stays Node's).`);
  const staging = `${path.dirname(binding)}.staging`;
  const failures = [];
  try {
    for (const method of plan.methods) {
      const { label, args } = commandFor(method, facts);
      log(`  trying ${label}…`);
      stageSources(projectRoot, staging);
      const result = run(args, staging);
      const built = path.join(staging, 'build', 'Release', SQLITE_BINDING_FILE);
      if (result.ok && fs.existsSync(built)) {
        fs.mkdirSync(path.dirname(binding), { recursive: true });
        fs.copyFileSync(built, binding);
        log(`  done: ${binding}`);
        return { ok: true, binding, plan, method };
      }
      const why = keyLine(result.output);
      failures.push(`${method}: ${why}`);
      log(`  ${method === 'prebuilt' ? 'no prebuilt binary' : 'the source build failed'}: ${why}`);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  const reason = `better-sqlite3 could not be made for Electron ${facts.electronVersion} (${failures.join('; ')})`;
  log(`${reason}. The window will run without history and say how to fix it.`);
  return { ok: false, binding, plan, reason };
}

// `node scripts/electronSqlite.mjs [--stage DIR]`: makes the build; with --stage copies it to DIR (what
// `npm run package:mac` packs as resources/native/better_sqlite3.node).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outcome = ensureElectronSqlite(projectRoot);
  if (!outcome.ok) {
    process.stderr.write(`${outcome.reason ?? 'No Electron in node_modules: nothing to build for.'}\n`);
    process.exit(1);
  }
  const stageIndex = process.argv.indexOf('--stage');
  if (stageIndex >= 0) {
    const dir = path.resolve(process.argv[stageIndex + 1]);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(outcome.binding, path.join(dir, SQLITE_BINDING_FILE));
    process.stdout.write(`Staged ${path.join(dir, SQLITE_BINDING_FILE)} for packaging.\n`);
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOpenSora } from '../../src/main/importer/opensora/importOpenSora';
import { importModel, makeTempDir, runTool, writeCheckpoints } from './opensoraTools';

/**
 * The Node importer against the Python tools: the committed templates are what make_templates.py makes now, and
 * an fp32 Node import writes the Python importer's weights byte for byte (the model-tools tests' `small` sizes,
 * T5 from pickled shards).
 */
const TEMPLATES = path.resolve('models/templates/opensora-1.2');
/** Remaking the published configuration's templates exports T5-XXL-wide units (≈ 16 min, 4 GB): opt in. */
const FULL = process.env.STUDIO_TEMPLATES_FULL === '1';

function tree(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name])).sort();
}

describe('Node importer vs the Python tools', () => {
  let work = '';
  beforeAll(() => {
    work = makeTempDir('node-importer-models-');
  });
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it.each(FULL ? ['tiny', 'small', 'opensora-1.2'] : ['tiny', 'small'])('templates of configuration %s are fresh (npm run templates)', (config) => {
    const out = path.join(work, `templates-${config}`);
    const run = runTool('make_templates.py', ['--out', out, '--config', config]);
    expect(run.status, run.stderr).toBe(0);
    for (const role of ['t5', 'stdit', 'vae']) {
      const committed = path.join(TEMPLATES, role, config);
      const made = path.join(out, role, config);
      expect(tree(made)).toEqual(tree(committed));
      for (const f of tree(made)) {
        expect(fs.readFileSync(path.join(made, f)).equals(fs.readFileSync(path.join(committed, f))), `${role}/${config}/${f}`).toBe(true);
      }
    }
  }, 1_800_000);

  it('--vae-only remakes a configuration\'s VAE templates alone, with the same bytes (how the published VAE encoder templates were made)', () => {
    const out = path.join(work, 'templates-vae-only');
    const run = runTool('make_templates.py', ['--out', out, '--config', 'tiny', '--vae-only']);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['vae']);
    const committed = path.join(TEMPLATES, 'vae', 'tiny');
    expect(tree(path.join(out, 'vae', 'tiny'))).toEqual(tree(committed));
    for (const f of tree(committed)) {
      expect(fs.readFileSync(path.join(out, 'vae', 'tiny', f)).equals(fs.readFileSync(path.join(committed, f))), f).toBe(true);
    }
  }, 600_000);

  it('an fp32 import writes the Python importer\'s weights byte for byte', async () => {
    const ckpt = path.join(work, 'ckpt');
    writeCheckpoints(ckpt, 'bin', 4);
    const pythonPkg = path.join(work, 'python-pkg');
    const run = importModel(ckpt, pythonPkg);
    expect(run.status, run.stderr).toBe(0);
    const nodePkg = path.join(work, 'node-pkg');
    await importOpenSora({ checkpoints: { stdit: path.join(ckpt, 'stdit'), vae: path.join(ckpt, 'vae'), t5: path.join(ckpt, 't5') }, outDir: nodePkg, precision: 'fp32', templatesDir: TEMPLATES });
    const weights = fs.readdirSync(pythonPkg).filter((f) => f.endsWith('.weights') || f === 'null_caption.bin');
    expect(weights.length).toBeGreaterThan(10);
    for (const f of weights) {
      expect(fs.readFileSync(path.join(nodePkg, f)).equals(fs.readFileSync(path.join(pythonPkg, f))), f).toBe(true);
    }
  }, 600_000);
});

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, TOOLS_DIR, makeTempDir } from './pythonExporter';

/** The exporter refuses a checkpoint whose keys or shapes do not match its config, naming the offending keys. */

// Builds a checkpoint from the shipped configs, then renames one denoiser key and reshapes another.
const MAKE_BAD_CHECKPOINT = `
import sys, torch
sys.path.insert(0, sys.argv[1])
import checkpoint, export_package
modules = checkpoint.build_modules(export_package.read_configs())
states = {name: m.state_dict() for name, m in modules.items()}
den = states['denoiser']
den['spatial_blocks.0.attn.qkv_renamed.weight'] = den.pop('spatial_blocks.0.attn.qkv.weight')
den['temporal_blocks.1.mlp.fc1.bias'] = torch.zeros(7)
torch.save({'format': checkpoint.FORMAT_TAG, 'step': 0, **states}, sys.argv[2])
`;

describe('export_package.py checkpoint validation', () => {
  let dir = '';
  beforeAll(() => {
    dir = makeTempDir('studio-model-badckpt-');
  });
  afterAll(() => {
    if (dir) {fs.rmSync(dir, { recursive: true, force: true });}
  });

  it('refuses a mismatched checkpoint and names the offending keys', () => {
    const ckpt = path.join(dir, 'bad.pt');
    const made = spawnSync(PYTHON, ['-c', MAKE_BAD_CHECKPOINT, TOOLS_DIR, ckpt], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const out = path.join(dir, 'pkg');
    const run = spawnSync(PYTHON, [path.join(TOOLS_DIR, 'export_package.py'), '--checkpoint', ckpt, '--out', out], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing key 'spatial_blocks.0.attn.qkv.weight'");
    expect(run.stderr).toContain("unexpected key 'spatial_blocks.0.attn.qkv_renamed.weight'");
    expect(run.stderr).toContain("shape mismatch for 'temporal_blocks.1.mlp.fc1.bias'");
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(false);
  });
});

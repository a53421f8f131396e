import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, REPO_ROOT, TOOLS_DIR, makeTempDir, runPython } from './pythonExporter';

/**
 * The shape-keeping latent's tools (models/README.md, "Training recipe", the latent stage): train_latent.py runs, writes a
 * checkpoint that resumes to the same weights as an uninterrupted run, and falls back to the CPU when the asked-for
 * device is absent; evaluate_latent.py judges the round trip of the shipped PCA latent and of a trained latent.
 */

const TRAIN = path.join(TOOLS_DIR, 'train_latent.py');
const EVALUATE = path.join(TOOLS_DIR, 'evaluate_latent.py');
const SHIPPED = path.join(REPO_ROOT, 'models', 'checkpoints', 'shapes-tiny.pt');
const SHAPE_LATENT = path.join(REPO_ROOT, 'models', 'checkpoints', 'shape-latent.pt');
const SHIPPED_V2 = path.join(REPO_ROOT, 'models', 'checkpoints', 'shapes-tiny-v2.pt');
const SMALL = ['--latent', 'conv', '--batch', '2', '--stats-clips', '8', '--checkpoint-every', '1'];

interface CheckpointSummary {
  format: string;
  latent: string;
  step: number;
  device: string;
  statistics: { mean: number[]; std: number[] } | null;
  resumable: boolean;
  weights: Record<string, number[]>;
}

/** Step, statistics and every weight of a train_latent.py checkpoint, as JSON. */
const SUMMARIZE = `
import json, sys, torch
ck = torch.load(sys.argv[1], map_location='cpu')
weights = {f'{part}.{k}': v.flatten().tolist() for part in ('encoder', 'decoder') for k, v in ck[part].items()}
print(json.dumps({'format': ck['format'], 'latent': ck['latent'], 'step': ck['step'], 'device': ck['device'],
                  'statistics': ck['statistics'], 'resumable': 'optimizer' in ck, 'weights': weights}))
`;

/** The settings of every command that trained a train_latent.py checkpoint (its `runs`). */
function recordedRuns(checkpoint: string): Record<string, unknown>[] {
  return JSON.parse(runPython(['-c', "import json,sys,torch; print(json.dumps(torch.load(sys.argv[1])['runs']))", checkpoint])) as Record<string, unknown>[];
}

function summarize(checkpoint: string): CheckpointSummary {
  return JSON.parse(runPython(['-c', SUMMARIZE, checkpoint])) as CheckpointSummary;
}

interface SetResult { clips: number; psnr: number; background: number; object: number; shape: number; motion: number; bar: number }
interface EvaluationJson { clips: number; latents: { name: string; kind: string; sets: Record<string, SetResult>; statistics: { mean: number[]; std: number[] }; preview_rmse: number }[] }

describe('train_latent.py and evaluate_latent.py', () => {
  let dir = '';
  beforeAll(() => {
    dir = makeTempDir('studio-shape-latent-');
  });
  afterAll(() => {
    if (dir) {fs.rmSync(dir, { recursive: true, force: true });}
  });

  it('trains a few steps, checkpoints, and resumes to the weights of an uninterrupted run', () => {
    const straight = path.join(dir, 'straight.pt');
    runPython([TRAIN, '--out', straight, '--steps', '4', ...SMALL]);
    const resumed = path.join(dir, 'resumed.pt');
    runPython([TRAIN, '--out', resumed, '--steps', '4', '--stop-at-step', '2', ...SMALL]);
    const half = summarize(resumed);
    expect(half.step).toBe(2);
    expect(half.statistics).toBeNull(); // not finished: the latent is not normalized yet
    const release = path.join(dir, 'release.pt');
    runPython([TRAIN, '--out', resumed, '--steps', '4', '--resume', '--release', release, ...SMALL]);

    const a = summarize(straight);
    const b = summarize(resumed);
    expect([a.format, a.latent, a.step, b.step]).toEqual(['shape-latent-1', 'conv', 4, 4]);
    const weightsOnly = summarize(release);
    expect([a.resumable, weightsOnly.resumable]).toEqual([true, false]);
    for (const other of [b, weightsOnly]) {
      expect(Object.keys(other.weights)).toEqual(Object.keys(a.weights));
      for (const [name, values] of Object.entries(a.weights)) {
        expect(other.weights[name], name).toEqual(values);
      }
    }
    // Finished: normalized on the centred world's training clips, so each channel has mean 0 and std 1 there.
    expect(a.statistics?.mean.every((m) => Math.abs(m) < 1e-4)).toBe(true);
    expect(a.statistics?.std.every((s) => Math.abs(s - 1) < 1e-4)).toBe(true);
    // The log has a row where the first run stopped and one at the end.
    const log = fs.readFileSync(path.join(dir, 'resumed.train.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe('step,wall_seconds,loss,reconstruction,kl,lr');
    expect(log.slice(1).map((row) => Number(row.split(',')[0]))).toEqual([2, 4]);
  });

  it('--device cuda trains on CUDA when there is one, else says why and trains on the CPU', () => {
    const hasCuda = runPython(['-c', 'import torch; print(torch.cuda.is_available())']).trim() === 'True';
    const out = path.join(dir, 'device.pt');
    const run = spawnSync(PYTHON, [TRAIN, '--out', out, '--steps', '1', '--device', 'cuda', ...SMALL],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(run.status, run.stderr).toBe(0);
    expect(summarize(out).device).toBe(hasCuda ? 'cuda' : 'cpu');
    if (!hasCuda) {expect(run.stderr).toMatch(/--device cuda: .*; training on the CPU instead/);}
  });

  it('refuses --release before the run is finished', () => {
    const out = path.join(dir, 'unfinished.pt');
    const run = spawnSync(PYTHON, [TRAIN, '--out', out, '--steps', '3', '--stop-at-step', '1', '--release', path.join(dir, 'r.pt'), ...SMALL],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--release: the run stopped at step 1 of 3; finish it first');
    expect(fs.existsSync(path.join(dir, 'r.pt'))).toBe(false);
  });

  it('refuses to resume a checkpoint of another latent kind, naming both', () => {
    const out = path.join(dir, 'kind.pt');
    runPython([TRAIN, '--out', out, '--steps', '2', '--stop-at-step', '1', ...SMALL]);
    const run = spawnSync(PYTHON, [TRAIN, '--out', out, '--steps', '2', '--resume', '--latent', 'pca'], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("holds a 'conv' latent; this run asks for --latent pca");
  });

  it('judges the round trip of the shipped PCA latent and a trained latent side by side', () => {
    const trained = path.join(dir, 'release.pt'); // written by the resume test
    const json = path.join(dir, 'eval.json');
    const stdout = runPython([EVALUATE, '--latent', `pca=${SHIPPED}`, '--latent', `tiny=${trained}`, '--clips', '4',
      '--preview-clips', '16', '--json', json]);
    expect(stdout).toContain('| latent | clips | PSNR | background | object | shape | motion | bar |');
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as EvaluationJson;
    expect(result.latents.map((l) => [l.name, l.kind])).toEqual([['pca', 'pca'], ['tiny', 'conv']]);
    for (const latent of result.latents) {
      expect(Object.keys(latent.sets)).toEqual(['held-out', 'seen']);
      expect(latent.statistics.mean).toHaveLength(4);
      expect(Number.isFinite(latent.preview_rmse)).toBe(true);
    }
    // The shipped decoder keeps background, object colour and motion (models/README.md); 4 steps of training do not.
    const shipped = result.latents[0].sets['held-out'];
    expect([shipped.background, shipped.object, shipped.motion]).toEqual([1, 1, 1]);
    expect(shipped.psnr).toBeGreaterThan(25);
    expect(result.latents[1].sets['held-out'].psnr).toBeLessThan(shipped.psnr);
  });

  it('refuses a malformed --latent and a missing checkpoint with a message', () => {
    const malformed = spawnSync(PYTHON, [EVALUATE, '--latent', 'no-equals-sign'], { encoding: 'utf8' });
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain("--latent wants NAME=CHECKPOINT, got 'no-equals-sign'");
    const missing = spawnSync(PYTHON, [EVALUATE, '--latent', `x=${path.join(dir, 'nothing.pt')}`], { encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(`no checkpoint at ${path.join(dir, 'nothing.pt')}`);
  });

  it('the committed decoder (PCA latent, mask loss) is sharper than the shipped one and keeps its attributes', () => {
    expect(fs.existsSync(SHAPE_LATENT), `${SHAPE_LATENT} is missing`).toBe(true);
    const json = path.join(dir, 'committed.json');
    runPython([EVALUATE, '--latent', `shipped=${SHIPPED}`, '--latent', `shape=${SHAPE_LATENT}`, '--clips', '100',
      '--preview-clips', '0', '--json', json]);
    const [shipped, shape] = (JSON.parse(fs.readFileSync(json, 'utf8')) as EvaluationJson).latents.map((l) => l.sets);
    for (const set of ['held-out', 'seen']) {
      expect([shape[set].background, shape[set].motion], set).toEqual([1, 1]);
      expect(shape[set].object, set).toBeGreaterThanOrEqual(0.99);
      expect(shape[set].psnr, set).toBeGreaterThan(shipped[set].psnr + 1.5);
      expect(shape[set].shape, set).toBeGreaterThanOrEqual(shipped[set].shape + 0.1);
    }
  });

  it('random colours: repainting keeps the coverage exactly and puts the new pair where the old one was', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, data, train_latent
videos, _, combos = data.batch(7, 0, 6, data.train_combinations())
own = max(float(np.abs(data.recolour(v, c[0], c[3], data.COLOURS[c[0]], data.COLOURS[c[3]]) - v).max()) for v, c in zip(videos, combos))
np.random.seed(3)
out = train_latent.random_colours(videos, combos, 0.5)
report = {'own': own, 'untouched': [bool((out[i] == videos[i]).all()) for i in range(6)], 'coverage': 0.0, 'pairs': []}
for i in range(3):
    fg, bg = (np.array(data.COLOURS[k], dtype=np.float32).reshape(3, 1, 1, 1) for k in (combos[i][0], combos[i][3]))
    m_old = (((videos[i] + 1) / 2 - bg) * (fg - bg)).sum(0) / float(((fg - bg) ** 2).sum())
    new = (out[i] + 1) / 2
    new_bg, new_fg = new[:, m_old < 1e-6].mean(1), new[:, m_old > 1 - 1e-6].mean(1)
    m_new = ((new - new_bg.reshape(3, 1, 1, 1)) * (new_fg - new_bg).reshape(3, 1, 1, 1)).sum(0) / float(((new_fg - new_bg) ** 2).sum())
    report['coverage'] = max(report['coverage'], float(np.abs(m_new - m_old).max()))
    report['pairs'].append(float(np.linalg.norm(new_fg - new_bg)))
print(json.dumps(report))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as { own: number; untouched: boolean[]; coverage: number; pairs: number[] };
    expect(r.own).toBeLessThan(1e-5); // the clip's own colours give the clip back
    expect(r.untouched).toEqual([false, false, false, true, true, true]); // half of the batch, the first half
    expect(r.coverage).toBeLessThan(1e-3); // float32 rounding on close colour pairs
    for (const distance of r.pairs) {expect(distance).toBeGreaterThanOrEqual(0.4 - 1e-5);}
  });

  it('the extent loss prices a lost apex row as a whole row; the judge-mask loss as its few pixels', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, torch, data, train_latent
rng = __import__('random').Random(5)
clip = torch.from_numpy(data.render('white', 'triangle', 'right', 'black', rng)[None, :, :4])  # [1, 3, 4, 32, 32]
rec = clip.clone()
bg = clip[0, :, 0, 0, 0]
_, soft = train_latent.judge_soft_masks(clip, clip)
tops = [int(np.nonzero((soft[0, f] > 0.5).numpy().any(axis=1))[0][0]) for f in range(4)]  # the apex row per frame
for f, top in enumerate(tops):
    rec[0, :, f, top, :] = bg.reshape(3, 1)
rec_soft, _ = train_latent.judge_soft_masks(rec, clip)
lost_rows = [float(soft[0, f, top].max()) for f, top in enumerate(tops)]
left = [float(rec_soft[0, f, top].max()) for f, top in enumerate(tops)]  # background paint: sigmoid(-6), not 0
H = clip.shape[-2]
print(json.dumps({'same': float(train_latent.extent_loss(clip, clip)), 'extent': float(train_latent.extent_loss(rec, clip)),
                  'expected': float(np.mean(lost_rows) - np.mean(left)) / H, 'mask': float(train_latent.judge_mask_loss(rec, clip))}))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as { same: number; extent: number; expected: number; mask: number };
    expect(r.same).toBe(0);
    // The apex row's occupancy (its largest soft-mask value) is lost, once per frame; the columns keep theirs.
    expect(r.extent).toBeGreaterThan(0);
    expect(Math.abs(r.extent - r.expected)).toBeLessThan(1e-6);
    expect(r.extent).toBeGreaterThan(5 * r.mask);
  });

  it('the own-latent bank: deterministic, the sampler\'s latents near the clips\' own, and a run trains on it', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import torch, own_latents, train_latent
_, _, encoder, _ = train_latent.load_latent(sys.argv[2])
a_z, a_v = own_latents.build_bank(sys.argv[2], encoder, 16, [0.2, 0.4], 9)
b_z, b_v = own_latents.build_bank(sys.argv[2], encoder, 16, [0.2, 0.4], 9)
z0 = encoder(a_v)
print(json.dumps({'shape': list(a_z.shape), 'same': bool(torch.equal(a_z, b_z) and torch.equal(a_v, b_v)),
                  'mse_to_clip': float((a_z - z0).pow(2).mean()), 'clip_var': float(z0.var())}))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR, SHIPPED_V2], { timeoutMs: 300_000 })) as { shape: number[]; same: boolean; mse_to_clip: number; clip_var: number };
    expect(r.shape).toEqual([16, 4, 16, 8, 8]);
    expect(r.same).toBe(true);
    // Sampled back from τ0 ≤ 0.4: not the clip's latent, but close to it (a small share of its variance).
    expect(r.mse_to_clip).toBeGreaterThan(1e-4);
    expect(r.mse_to_clip).toBeLessThan(0.2 * r.clip_var);
    const out = path.join(dir, 'own.pt');
    const stdout = runPython([TRAIN, '--out', out, '--latent', 'pca', '--steps', '2', '--batch', '4', '--stats-clips', '8',
      '--own-latents', SHIPPED_V2, '--own-clips', '16', '--own-frac', '0.5'], { timeoutMs: 300_000 });
    expect(stdout).toContain(`own-latent bank of 16 clips from ${SHIPPED_V2}`);
    const runs = recordedRuns(out);
    expect(runs[0]).toMatchObject({ own_latents: 'shapes-tiny-v2.pt', own_frac: 0.5, own_clips: 16 });
  }, 300_000);

  it('a repainted bank: its first chunks in unseen-edge pairs, sampled unconditionally; the others those of a plain bank', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, torch, own_latents, train_latent
_, _, encoder, _ = train_latent.load_latent(sys.argv[2])
w = train_latent.structure_weights(encoder)
paint = lambda videos, combos, rng: train_latent.random_colours(videos, combos, 1.0, weights=w, unseen_edge_frac=1.0, rng=rng)
plain_z, plain_v = own_latents.build_bank(sys.argv[2], encoder, 32, [0.2, 0.4], 9)
a_z, a_v = own_latents.build_bank(sys.argv[2], encoder, 32, [0.2, 0.4], 9, (0.5, [0.1, 0.2], paint))
b_z, b_v = own_latents.build_bank(sys.argv[2], encoder, 32, [0.2, 0.4], 9, (0.5, [0.1, 0.2], paint))
def unseen(v):  # every pixel is bg + m (fg - bg): with w . (fg - bg) = 0 the structure weights see one flat colour
    px = (v.numpy() + 1) / 2
    bg = np.median(px[:, :, 0].reshape(3, -1), axis=1).reshape(3, 1, 1, 1)
    return float(np.abs(np.tensordot(w, px - bg, axes=(0, 0))).max())
z0 = encoder(a_v[:16])
print(json.dumps({'same': bool(torch.equal(a_z, b_z) and torch.equal(a_v, b_v)),
                  'rest_plain': bool(torch.equal(a_z[16:], plain_z[16:]) and torch.equal(a_v[16:], plain_v[16:])),
                  'painted_differs': bool((a_v[:16] - plain_v[:16]).abs().amax(dim=(1, 2, 3, 4)).min() > 0.1),
                  'painted_unseen': max(unseen(v) for v in a_v[:16]), 'plain_unseen': max(unseen(v) for v in plain_v[:16]),
                  'mse_to_clip': float((a_z[:16] - z0).pow(2).mean()), 'clip_var': float(z0.var())}))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR, SHIPPED_V2], { timeoutMs: 300_000 })) as Record<string, number | boolean>;
    expect(r.same).toBe(true);
    expect(r.rest_plain).toBe(true); // the unpainted chunk is exactly the plain bank's
    expect(r.painted_differs).toBe(true);
    expect(r.painted_unseen as number).toBeLessThan(1e-4);
    expect(r.plain_unseen as number).toBeGreaterThan(0.05); // palette pairs such as white on black do show their edges
    // Sampled back from τ0 ≤ 0.2 without a caption: the repainted clip's outline and colours, a little softened.
    expect(r.mse_to_clip as number).toBeGreaterThan(1e-5);
    expect(r.mse_to_clip as number).toBeLessThan(0.1 * (r.clip_var as number));
    const out = path.join(dir, 'own-painted.pt');
    runPython([TRAIN, '--out', out, '--latent', 'pca', '--steps', '1', '--batch', '4', '--stats-clips', '8',
      '--own-latents', SHIPPED_V2, '--own-clips', '16', '--own-unseen-edge-frac', '1', '--own-unseen-edge-tau', '0.1,0.2'],
    { timeoutMs: 300_000 });
    const runs = recordedRuns(out);
    expect(runs[0]).toMatchObject({ own_unseen_edge_frac: 1, own_unseen_edge_tau: [0.1, 0.2] });
  }, 600_000);

  it('unseen-edge pairs: the latent\'s one spatial component gets no signal from their edges; red on green nearly none', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, data, train_latent
_, _, encoder, _ = train_latent.load_latent(sys.argv[2])
w = train_latent.structure_weights(encoder)
np.random.seed(11)
pairs = [train_latent.random_pair(0.4, w) for _ in range(50)]
edge = lambda fg, bg: abs(float(w @ (np.asarray(fg) - np.asarray(bg))))
c = data.COLOURS
print(json.dumps({'weights': w.tolist(), 'largest': max(edge(fg, bg) for fg, bg in pairs),
                  'closest': min(float(np.linalg.norm(fg - bg)) for fg, bg in pairs),
                  'inside': all(0 <= x <= 1 for fg, bg in pairs for x in [*fg, *bg]),
                  'red_green': edge(c['red'], c['green']), 'white_black': edge(c['white'], c['black'])}))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR, SHIPPED_V2])) as { weights: number[]; largest: number; closest: number; inside: boolean; red_green: number; white_black: number };
    expect(r.weights.every((x) => x > 0.05)).toBe(true); // the spatial component is a luminance gradient
    expect(r.largest).toBeLessThan(1e-6); // float32 weights
    expect(r.closest).toBeGreaterThanOrEqual(0.4);
    expect(r.inside).toBe(true);
    expect(r.red_green).toBeLessThan(0.1 * r.white_black);
  });
});

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parityFailures, readParityIndex } from '../engine/support/parityFixtures';
import { PYTHON, REPO_ROOT, TOOLS_DIR, makeTempDir, runPython } from './pythonExporter';

/**
 * The pieces of recipe v2 (models/README.md "Training recipe"): the denoiser stage starts from a latent run's
 * checkpoint (it reads the PCA encoder), trains on the asked-for device or says why it falls back to the CPU, resumes
 * to the weights of an uninterrupted run exactly (Adam's moments are kept in float32: in float16, small second
 * moments became 0 and the first step after resuming threw weights far off), and the finished latent's decoder is
 * swapped into its checkpoint.
 */
const LATENT = ['--latent', 'pca', '--batch', '2', '--stats-clips', '8', '--checkpoint-every', '1', '--steps', '1'];
const DENOISER = ['--batch', '2', '--warmup', '1', '--tau-shift', '3', '--high-noise-frac', '0.3', '--uniform-frac', '0.2',
  '--prediction', 'x0_skip', '--outline-weight', '8', '--outline-from', '1', '--round-input-frac', '0.5', '--world', 'centred'];

const SUMMARIZE = `
import json, sys, torch
ck = torch.load(sys.argv[1], map_location='cpu')
print(json.dumps({'step': ck['step'], 'phases': ck['phases'], 'prediction': ck['denoiser_config']['prediction_type'],
                  'denoiser': [v.flatten()[:64].tolist() for v in ck['denoiser'].values()],
                  'decoder': [v.flatten()[:64].tolist() for v in ck['decoder'].values()]}))
`;
interface Summary { step: number; prediction: string; phases: Array<Record<string, unknown>>; denoiser: number[][]; decoder: number[][] }
const summarize = (file: string): Summary => JSON.parse(runPython(['-c', SUMMARIZE, file])) as Summary;
/** The value after `name` in a command line train_all.py would run, or undefined when the option is absent. */
const flag = (argv: string[], name: string): string | undefined => { const i = argv.indexOf(name); return i < 0 ? undefined : argv[i + 1]; };

describe('recipe v2: train.py from a latent run, devices, resume, decoder swap', () => {
  let dir = '';
  let latent = '';
  beforeAll(() => {
    dir = makeTempDir('studio-recipe-v2-');
    latent = path.join(dir, 'latent.pt');
    runPython([path.join(TOOLS_DIR, 'train_latent.py'), '--out', latent, ...LATENT], { timeoutMs: 300_000 });
  }, 300_000);
  afterAll(() => {
    if (dir) {fs.rmSync(dir, { recursive: true, force: true });}
  });

  const train = (ckpt: string, args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(PYTHON, [path.join(TOOLS_DIR, 'train.py'), '--ckpt', ckpt, ...DENOISER, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });

  it('the preconditioned x0 head (x0_skip): x0 = z at τ = 0, and the velocity the engine receives lands on x0', () => {
    const check = `
import json, sys, torch
sys.path.insert(0, sys.argv[1])
import stdit3
from export_package import read_configs
cfg = dict(read_configs()['denoiser'], prediction_type='x0_skip')
torch.manual_seed(0)
m = stdit3.STDiT3(cfg).eval()
for p in m.parameters():
    torch.nn.init.normal_(p, std=0.05)  # the init zeroes outputs; random weights make F non-zero
b = 4
z = torch.randn(b, 4, 4, 8, 8)
t = torch.tensor([0.0, 250.0, 700.0, 1000.0])
args = (torch.randn(b, 16, cfg['caption_channels']), torch.zeros(b, 16), torch.full((b,), 8.0),
        stdit3.pos_embed_for_clip(cfg, 8, 8, 32, 32), *stdit3.rope_tables(m.head_dim, 4))
with torch.no_grad():
    x0 = m.predict_x0(z, t, *args)
    v = m(z, t, *args)[:, :4]
tau = (t / 1000).reshape(b, 1, 1, 1, 1)
print(json.dumps({'identity_at_0': float((x0[0] - z[0]).abs().max()),
                  'landing': float((z[1:] + tau[1:] * v[1:] - x0[1:]).abs().max()),
                  'pure_noise_uses_F': float((x0[3]).abs().max())}))
`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as { identity_at_0: number; landing: number; pure_noise_uses_F: number };
    expect(r.identity_at_0).toBe(0);
    expect(r.landing).toBeLessThan(1e-5);
    expect(r.pure_noise_uses_F).toBeGreaterThan(1e-3);
  }, 120_000);

  it('outline weights: 1 off the object and inside it, 1 + w·4c(1 − c) on cells the outline cuts', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import torch, train
video = -torch.ones(1, 3, 2, 32, 32)
video[:, :, :, 6:14, 6:14] = 1.0  # a white square on black: rows and columns 6..13
w = train.outline_weights(video, 8, 8.0)
print(json.dumps({'shape': list(w.shape), 'cells': w[0, 1, 0:4, 0:4].tolist()}))
`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as { shape: number[]; cells: number[][] };
    expect(r.shape).toEqual([1, 2, 8, 8]);
    // Cell k spans pixels 4k..4k+3: rows and columns 1 and 3 are half object, 2 is all object.
    const weight = (c: number): number => 1 + 8 * 4 * c * (1 - c);
    const share = [0, 0.5, 1, 0.5];
    r.cells.forEach((row, i) => row.forEach((value, j) => expect(value, `cell ${i},${j}`).toBeCloseTo(weight(share[i] * share[j]), 5)));
  }, 120_000);

  it('rounded outlines: straight edges stay, corners are cut, colours and a circle stay as they were', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import torch, train
video = torch.empty(2, 3, 2, 32, 32)
video[:] = torch.tensor([-1.0, 1.0, -1.0]).reshape(1, 3, 1, 1, 1)  # green background
video[0, :, :, 8:20, 8:20] = torch.tensor([1.0, 1.0, -1.0]).reshape(3, 1, 1, 1)  # a yellow square, 12 px
ys, xs = torch.meshgrid(torch.arange(32.0), torch.arange(32.0), indexing='ij')
disc = ((ys - 15.5) ** 2 + (xs - 15.5) ** 2 <= 36).float()  # a circle of radius 6
video[1] = video[1] * (1 - disc) + torch.tensor([1.0, 1.0, -1.0]).reshape(3, 1, 1, 1) * disc
out = train.round_outlines(video, torch.tensor([2.5, 2.5]))
cov = (out[:, 0] + 1) / 2  # the red channel: 0 on green, 1 on yellow
print(json.dumps({'corner': float(cov[0, 0, 8, 8]), 'edge_mid': float(cov[0, 0, 9, 14]), 'edge_row': float(cov[0, 0, 8, 14]), 'centre': float(cov[0, 0, 14, 14]),
                  'outside': float(cov[0, 0, 2, 2]), 'green': float(out[0, 1].min()), 'blue': float(out[0, 2].max()),
                  'circle_change': float((cov[1, 0] - disc).abs().mean()),
                  'square_area': float(cov[0, 0].sum()), 'frames_equal': bool(torch.equal(out[:, :, 0], out[:, :, 1]))}))
`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as Record<string, number | boolean>;
    expect(r.corner as number).toBeLessThan(0.2);  // the corner pixel is cut away
    expect(r.edge_mid).toBeCloseTo(1, 5);  // the middle of a side stays where it was
    expect(r.edge_row as number).toBeGreaterThan(0.6);
    expect(r.centre).toBeCloseTo(1, 5);
    expect(r.outside).toBeCloseTo(0, 5);
    expect(r.green).toBeCloseTo(1, 5);  // colours are kept: green is 1 on both, blue −1 on both
    expect(r.blue).toBeCloseTo(-1, 5);
    expect(r.square_area as number).toBeLessThan(144 - 8);  // area lost at the four corners
    expect(r.square_area as number).toBeGreaterThan(144 - 40);
    expect(r.circle_change as number).toBeLessThan(0.03);  // a circle is almost unchanged
    expect(r.frames_equal).toBe(true);
  }, 120_000);

  it('--device cuda trains on CUDA when there is one, else says why and trains on the CPU', () => {
    const ckpt = path.join(dir, 'device.pt');
    const run = train(ckpt, ['--decoder', latent, '--steps', '1', '--device', 'cuda']);
    expect(run.status, String(run.stderr)).toBe(0);
    const hasCuda = runPython(['-c', 'import torch; print(torch.cuda.is_available())']).trim() === 'True';
    const summary = summarize(ckpt);
    expect(summary.step).toBe(1);
    expect(summary.phases.at(-1)).toMatchObject({ device: hasCuda ? 'cuda' : 'cpu', world: 'centred' });
    if (!hasCuda) {expect(String(run.stderr)).toMatch(/--device cuda: .*; training on the CPU instead/);}
  }, 300_000);

  it('probe_shape.py: sampling from a clip noised to a tiny τ0 and one x0 call at that τ give the same verdicts', () => {
    const ckpt = path.join(dir, 'probe.pt');
    expect(train(ckpt, ['--decoder', latent, '--steps', '1']).status).toBe(0);
    const out = path.join(dir, 'probe.json');
    runPython([path.join(TOOLS_DIR, 'probe_shape.py'), '--ckpt', ckpt, '--prompts', '6', '--from-tau', '0.001',
      '--x0-tau', '0.001,1', '--json', out], { timeoutMs: 300_000 });
    interface Report { confusion: Record<string, number>; median_fill_ratio: Record<string, number>; x0_mse?: number }
    const r = JSON.parse(fs.readFileSync(out, 'utf8')) as { prompts: number; ground_truth: Report; sampled: Report;
      from_tau: Record<string, Report>; x0_at_tau: Record<string, Report> };
    const total = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);
    expect(r.prompts).toBe(6);
    expect(total(r.ground_truth.confusion)).toBe(6);
    // Ground truth: every asked shape is judged as asked on this prompt set.
    for (const [pair, count] of Object.entries(r.ground_truth.confusion)) {
      const [asked, judged] = pair.split('->');
      expect(judged, `${pair} x${count}`).toBe(asked);
    }
    // Both start from the clip's own latent: the same decoded clips, so the same verdicts and fill ratios.
    expect(r.from_tau['0.001'].confusion).toEqual(r.x0_at_tau['0.001'].confusion);
    expect(r.from_tau['0.001'].median_fill_ratio).toEqual(r.x0_at_tau['0.001'].median_fill_ratio);
    expect(r.x0_at_tau['0.001'].x0_mse).toBeLessThan(1e-4);
    // At τ = 1 the input is pure noise: a one-step-trained network cannot give the clip back.
    expect(r.x0_at_tau['1.0'].x0_mse).toBeGreaterThan(0.1);
  }, 600_000);

  it('render workers give the batches of the background thread: the same weights, bit for bit', () => {
    const thread = path.join(dir, 'thread.pt');
    const workers = path.join(dir, 'workers.pt');
    expect(train(thread, ['--decoder', latent, '--steps', '2']).status).toBe(0);
    const run = train(workers, ['--decoder', latent, '--steps', '2', '--data-workers', '2']);
    expect(run.status, String(run.stderr)).toBe(0);
    const a = summarize(thread);
    const b = summarize(workers);
    expect(b.step).toBe(2);
    expect(b.denoiser).toEqual(a.denoiser);
  }, 300_000);

  it('side by side: two architectures on the same batches, each its own checkpoint, log and config', () => {
    const small = path.join(dir, 'side-small.pt');
    const wide = path.join(dir, 'side-wide.pt');
    const run = train(small, ['--arch', '64,2,4', '--ckpt', wide, '--arch', '96,3,4', '--decoder', latent, '--steps', '2']);
    expect(run.status, String(run.stderr)).toBe(0);
    const read = `
import json, sys, torch
out = []
for p in sys.argv[1:]:
    ck = torch.load(p, map_location='cpu')
    c = ck['denoiser_config']
    out.append({'step': ck['step'], 'data_index': ck['data_index'], 'arch': [c['hidden_size'], c['depth'], c['num_heads']],
                'params': sum(v.numel() for v in ck['denoiser'].values())})
print(json.dumps(out))
`;
    const [a, b] = JSON.parse(runPython(['-c', read, small, wide])) as Array<{ step: number; data_index: number; arch: number[]; params: number }>;
    expect(a).toMatchObject({ step: 2, data_index: 4, arch: [64, 2, 4] });
    expect(b).toMatchObject({ step: 2, data_index: 4, arch: [96, 3, 4] });
    expect(b.params).toBeGreaterThan(2 * a.params);
    for (const ckpt of [small, wide]) {
      const rows = fs.readFileSync(ckpt.replace(/\.pt$/, '.train.csv'), 'utf8').trim().split('\n');
      expect(rows[0]).toBe('step,wall_seconds,loss,loss_ema,lr,samples_per_second');
    }
    // Bad combinations are refused with the reason.
    const mismatch = train(path.join(dir, 'x.pt'), ['--arch', '64,2,4', '--ckpt', path.join(dir, 'y.pt'), '--decoder', latent, '--steps', '1']);
    expect(mismatch.status).not.toBe(0);
    expect(String(mismatch.stderr)).toMatch(/one --arch per --ckpt/);
    const odd = train(path.join(dir, 'x.pt'), ['--arch', '60,2,4', '--decoder', latent, '--steps', '1']);
    expect(String(odd.stderr)).toMatch(/even head size/);
  }, 300_000);

  it('--steps auto: the schedule length is fixed from the warm-up speed and recorded in the phases', () => {
    const ckpt = path.join(dir, 'auto.pt');
    const run = train(ckpt, ['--decoder', latent, '--steps', 'auto', '--budget-minutes', '0.5', '--warmup', '40']);
    expect(run.status, String(run.stderr)).toBe(0);
    const fixed = /--steps auto -> (\d+)/.exec(String(run.stdout));
    expect(fixed, String(run.stdout)).not.toBeNull();
    const summary = summarize(ckpt);
    expect(summary.phases.at(-1)?.schedule_steps).toBe(Number(fixed?.[1]));
    expect(summary.step).toBeGreaterThanOrEqual(40);
    expect(summary.step).toBeLessThanOrEqual(Number(fixed?.[1]));
    const refused = train(ckpt, ['--decoder', latent, '--steps', 'auto']);
    expect(String(refused.stderr)).toMatch(/--steps auto needs --budget-minutes/);
  }, 300_000);

  it('own-step input: a perfect x0 prediction gives back the plain noisy input; the network\'s own gives its draft', () => {
    const check = `
import json, sys, types
sys.path.insert(0, sys.argv[1])
import torch, train
args = types.SimpleNamespace(own_step_frac=1.0, own_step_dtau=(0.1, 0.4))
tr = types.SimpleNamespace(args=args, device=torch.device('cpu'), gen=torch.Generator().manual_seed(0), pos=None, rope=())
b = 4
x0, noise = torch.randn(b, 4, 2, 8, 8), torch.randn(b, 4, 2, 8, 8)
tau = torch.tensor([0.1, 0.3, 0.5, 0.8])
zt = (1 - tau.reshape(b, 1, 1, 1, 1)) * x0 + tau.reshape(b, 1, 1, 1, 1) * noise
extras = (torch.zeros(b, 16, 8), torch.zeros(b, 16), torch.full((b,), 8.0))
seen = []
def perfect(z, t, y, yb, fps, pos, *rope):
    seen.append(t)
    return x0
tr.model = types.SimpleNamespace(predict_x0=perfect)
same = train.Trainer.own_step_input(tr, zt, x0, noise, tau, *extras)
tr.model = types.SimpleNamespace(predict_x0=lambda z, t, *rest: torch.zeros_like(z))
draft = train.Trainer.own_step_input(tr, zt, x0, noise, tau, *extras)
# With x0_hat = 0 the implied noise is z_hi / tau_hi, so the input at tau is tau / tau_hi * z_hi.
tau_hi = seen[0] / 1000.0
print(json.dumps({'perfect': float((same - zt).abs().max()), 'gap_min': float((tau_hi - tau).min()), 'gap_max': float((tau_hi - tau).max()),
                  'draft_mean_ratio': float((draft.norm() / zt.norm()))}))
`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as { perfect: number; gap_min: number; gap_max: number; draft_mean_ratio: number };
    expect(r.perfect).toBeLessThan(1e-5);
    expect(r.gap_min).toBeGreaterThanOrEqual(0.1 - 1e-6);
    expect(r.gap_max).toBeLessThanOrEqual(0.4 + 1e-6);
    expect(Math.abs(r.draft_mean_ratio - 1)).toBeGreaterThan(0.05);
  }, 120_000);

  it('the committed checkpoint is the shipped package: its export equals models/shapes-tiny/ byte for byte', () => {
    const shipped = path.join(REPO_ROOT, 'models', 'shapes-tiny');
    const out = path.join(dir, 'from-committed');
    // No --checkpoint: the exporter's default is the committed, released checkpoint of the shipped run.
    runPython([path.join(TOOLS_DIR, 'export_package.py'), '--out', out], { timeoutMs: 300_000 });
    const files = fs.readdirSync(shipped).sort();
    expect(files).toContain('manifest.json');
    expect(fs.readdirSync(out).sort()).toEqual(files);
    for (const f of files) {
      expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(shipped, f))), f).toBe(true);
    }
  }, 300_000);

  it('a released checkpoint (EMA weights, no optimizer) exports the same package and refuses to resume', () => {
    const full = path.join(dir, 'release-full.pt');
    expect(train(full, ['--decoder', latent, '--steps', '2']).status).toBe(0);
    const released = path.join(dir, 'released.pt');
    runPython([path.join(TOOLS_DIR, 'release_checkpoint.py'), '--ckpt', full, '--out', released]);
    expect(fs.statSync(released).size).toBeLessThan(0.6 * fs.statSync(full).size);
    const packages = [full, released].map((ckpt, i) => {
      const out = path.join(dir, `release-package-${i}`);
      runPython([path.join(TOOLS_DIR, 'export_package.py'), '--checkpoint', ckpt, '--out', out], { timeoutMs: 300_000 });
      return out;
    });
    const files = fs.readdirSync(packages[0]).filter((f) => f.endsWith('.onnx') || f.endsWith('.weights')).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(fs.readdirSync(packages[1]).filter((f) => f.endsWith('.onnx') || f.endsWith('.weights')).sort()).toEqual(files);
    for (const f of files) {
      expect(fs.readFileSync(path.join(packages[1], f)).equals(fs.readFileSync(path.join(packages[0], f))), f).toBe(true);
    }
    const resumed = train(released, ['--resume', '--steps', '3']);
    expect(resumed.status).not.toBe(0);
    expect(String(resumed.stderr)).toMatch(/is a released checkpoint.*--from-release/);
    // --from-release goes on from its EMA weights with a fresh optimizer, deterministically, and says so in the phases.
    const copies = [0, 1].map((i) => {
      const copy = path.join(dir, `from-release-${i}.pt`);
      fs.copyFileSync(released, copy);
      const run = train(copy, ['--resume', '--from-release', '--steps', '3']);
      expect(run.status, String(run.stderr)).toBe(0);
      return summarize(copy);
    });
    const start = summarize(released);
    expect(copies[0].step).toBe(3);
    expect(copies[1].denoiser).toEqual(copies[0].denoiser);
    expect(copies[0].denoiser).not.toEqual(start.denoiser);
    expect(copies[0].phases.at(-1)).toMatchObject({ from_step: 2, to_step: 3, from_release: true });
  }, 600_000);

  it('faint outlines: squares and triangles of pairs the structure component barely sees are drawn K times as often', () => {
    const check = `
import json, sys
sys.path.insert(0, sys.argv[1])
import torch, data, latent, train
w = latent.structure_weights(torch.load(sys.argv[2], map_location='cpu')['encoder']['components'])
base = data.train_combinations()
draws = train.faint_outline_draws(base, w, 3)
count = lambda c: draws.count(c)
print(json.dumps({'base': len(base), 'draws': len(draws),
                  'green_red_triangle': count(('green', 'triangle', 'left', 'red')), 'green_red_circle': count(('green', 'circle', 'left', 'red')),
                  'white_black_square': count(('white', 'square', 'left', 'black')), 'red_blue_square': count(('red', 'square', 'up', 'blue')),
                  'held_out': sum(data.is_held_out(*c) for c in draws), 'repeated': sum(count(c) == 3 for c in base),
                  'faint_pairs': sorted({c[0] + '/' + c[3] for c in draws if count(c) > 1})}))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR, path.join(REPO_ROOT, 'models', 'checkpoints', 'shapes-tiny-v2.pt')])) as Record<string, number | string[]>;
    expect(r.green_red_triangle).toBe(3);
    expect(r.red_blue_square).toBe(3);
    expect(r.green_red_circle).toBe(1); // circles are right already
    expect(r.white_black_square).toBe(1); // its edges are in the structure component
    expect(r.held_out).toBe(0);
    // 11 seen faint pairs (red on green is held out; green on red is not), 2 shapes x 6 motions each, except held-out triples.
    expect(r.faint_pairs).toEqual(['blue/gray', 'blue/green', 'blue/red', 'gray/blue', 'gray/green', 'gray/red', 'green/blue', 'green/gray', 'green/red', 'red/blue', 'red/gray']);
    expect(r.draws as number).toBe((r.base as number) + 2 * (r.repeated as number)); // each repeated one twice more
    expect(r.repeated as number).toBeGreaterThan(100);
    const ckpt = path.join(dir, 'faint.pt');
    const run = train(ckpt, ['--decoder', latent, '--steps', '1', '--faint-outline-repeat', '3']);
    expect(run.status, String(run.stderr)).toBe(0);
    expect(summarize(ckpt).phases.at(-1)).toMatchObject({ faint_outline_repeat: 3 });
  }, 300_000);

  it('resumes to the weights of an uninterrupted run, and takes the finished decoder', () => {
    const straight = path.join(dir, 'straight.pt');
    expect(train(straight, ['--decoder', latent, '--steps', '3']).status).toBe(0);
    const resumed = path.join(dir, 'resumed.pt');
    expect(train(resumed, ['--decoder', latent, '--steps', '3', '--stop-at-step', '2']).status).toBe(0);
    const half = summarize(resumed);
    expect(half.step).toBe(2);
    expect(train(resumed, ['--resume', '--steps', '3']).status).toBe(0);
    const a = summarize(straight);
    const b = summarize(resumed);
    expect(b.step).toBe(3);
    expect(b.prediction).toBe('x0_skip');
    const largestDifference = (x: number[][], y: number[][]): number => Math.max(...x.flatMap((row, i) => row.map((value, j) => Math.abs(value - y[i][j]))));
    expect(largestDifference(b.denoiser, a.denoiser)).toBe(0);
    // One step moves the weights visibly (the comparison can tell runs apart).
    expect(largestDifference(half.denoiser, a.denoiser)).toBeGreaterThan(1e-4);

    // A longer latent run (same PCA encoder, another decoder) goes into the denoiser checkpoint.
    const longer = path.join(dir, 'latent-longer.pt');
    runPython([path.join(TOOLS_DIR, 'train_latent.py'), '--out', longer, ...LATENT.slice(0, -1), '3'], { timeoutMs: 300_000 });
    runPython([path.join(TOOLS_DIR, 'swap_decoder.py'), '--ckpt', resumed, '--decoder', longer]);
    const swapped = summarize(resumed);
    const longerDecoder = JSON.parse(runPython(['-c', "import json,sys,torch; ck=torch.load(sys.argv[1],map_location='cpu'); print(json.dumps([v.flatten()[:64].tolist() for v in ck['decoder'].values()]))", longer])) as number[][];
    expect(swapped.decoder).toEqual(longerDecoder);
    expect(swapped.decoder).not.toEqual(a.decoder);
    expect(swapped.denoiser).toEqual(b.denoiser);
  }, 600_000);

  it('a decoder with a full-resolution block: the denoiser run records its config, the swap carries it, the export runs it', async () => {
    const full = path.join(dir, 'latent-full.pt');
    runPython([path.join(TOOLS_DIR, 'train_latent.py'), '--out', full, ...LATENT, '--decoder-full-res-blocks', '1'], { timeoutMs: 300_000 });
    const decoderOf = (file: string): { config: Record<string, unknown> | null; keys: string[] } => JSON.parse(runPython(['-c', `
import json, sys, torch
ck = torch.load(sys.argv[1], map_location='cpu')
print(json.dumps({'config': ck.get('decoder_config', ck.get('config')), 'keys': sorted(ck['decoder'])}))`, file])) as { config: Record<string, unknown> | null; keys: string[] };
    const ckpt = path.join(dir, 'with-full.pt');
    expect(train(ckpt, ['--decoder', full, '--steps', '1']).status).toBe(0);
    const trained = decoderOf(ckpt);
    expect(trained.config?.full_res_blocks).toBe(1);
    expect(trained.keys).toContain('full.0.conv1.weight');
    // Swapping the plain decoder in takes the plain config with it, and back again.
    runPython([path.join(TOOLS_DIR, 'swap_decoder.py'), '--ckpt', ckpt, '--decoder', latent]);
    const plain = decoderOf(ckpt);
    expect(plain.config?.full_res_blocks).toBeUndefined();
    expect(plain.keys.some((k) => k.startsWith('full.'))).toBe(false);
    runPython([path.join(TOOLS_DIR, 'swap_decoder.py'), '--ckpt', ckpt, '--decoder', full]);
    expect(decoderOf(ckpt)).toEqual(trained);
    // The package's decoder unit is the full-resolution decoder: onnxruntime-node matches PyTorch on it.
    const out = path.join(dir, 'full-package');
    runPython([path.join(TOOLS_DIR, 'export_package.py'), '--checkpoint', ckpt, '--out', out, '--parity'], { timeoutMs: 300_000 });
    const fixtures = path.join(out, 'parity');
    const index = readParityIndex(fixtures);
    const decoderCases = index.cases.filter((c) => c.unit === 'decoder');
    expect(decoderCases.length).toBeGreaterThan(0);
    expect(await parityFailures(out, fixtures, { ...index, cases: decoderCases })).toEqual([]);
    const plainOut = path.join(dir, 'plain-package');
    runPython([path.join(TOOLS_DIR, 'swap_decoder.py'), '--ckpt', ckpt, '--decoder', latent]);
    runPython([path.join(TOOLS_DIR, 'export_package.py'), '--checkpoint', ckpt, '--out', plainOut], { timeoutMs: 300_000 });
    // The block's weights are in the package (32 -> 32 channels, a 3x3x3 and a 1x3x3 conv: 36,928 floats more).
    const weightsBytes = (dir_: string): number => fs.statSync(path.join(dir_, 'decoder.weights')).size;
    expect(weightsBytes(out) - weightsBytes(plainOut)).toBe(4 * (32 * 32 * 27 + 32 + 32 * 32 * 9 + 32));
  }, 600_000);

  it('train_all.py runs the latent\'s first phase beside the denoiser and its second only once the denoiser is finished', () => {
    const check = `
import json, sys, types
sys.path.insert(0, sys.argv[1])
import train_all
calls, steps = [], {'latent': 0}
train_all.run = lambda args: calls.append(args)
train_all.checkpoint_step = lambda path: steps['latent'] if path == train_all.V2['latent'] else 0
args = types.SimpleNamespace(device='cpu')
train_all.latent_stage(args, after_denoiser=False)
first = [c for c in calls if c[0].endswith('train_latent.py')]
calls.clear(); steps['latent'] = 14000
train_all.latent_stage(args, after_denoiser=False)
again = [c for c in calls if c[0].endswith('train_latent.py')]
calls.clear()
train_all.latent_stage(args, after_denoiser=True)
second = [c for c in calls if c[0].endswith('train_latent.py')]
print(json.dumps({'first': first, 'again': again, 'second': second, 'round': train_all.V2_ROUND_SNAPSHOT}))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as { first: string[][]; again: string[][]; second: string[][]; round: string };
    expect(r.first).toHaveLength(1);
    expect([flag(r.first[0], '--steps'), flag(r.first[0], '--stop-at-step')]).toEqual(['14000', '14000']);
    expect(r.first[0]).not.toContain('--resume');
    expect(r.first[0]).not.toContain('--own-latents');
    expect(r.again).toEqual([]); // the first phase is done: nothing to run before the denoiser
    expect(r.second).toHaveLength(1);
    expect([flag(r.second[0], '--steps'), flag(r.second[0], '--stop-at-step')]).toEqual(['18000', '18000']);
    expect(r.second[0]).toContain('--resume');
    // Its own-latent bank comes from the denoiser as it was at the end of its round phase (the snapshot below).
    expect(flag(r.second[0], '--own-latents')).toBe(r.round);
    expect(flag(r.second[0], '--unseen-edge-frac')).toBe('0.5');
  });

  it('train_all.py runs the denoiser\'s five phases in order, resuming each; the last two draw faint outlines 3 times as often', () => {
    const check = `
import json, sys, types
sys.path.insert(0, sys.argv[1])
import train_all
calls, steps = [], {'denoiser': 0}
def run(argv):
    calls.append(argv)
    if '--stop-at-step' in argv:
        steps['denoiser'] = int(argv[argv.index('--stop-at-step') + 1])
train_all.run = run
train_all.checkpoint_step = lambda path: steps['denoiser'] if path == train_all.V2['denoiser'] else 14000
train_all.os.path.exists = lambda path: True
args = types.SimpleNamespace(device='cpu', stop_after_minutes=None)
train_all.denoiser_stage(args)
scratch = list(calls)
calls.clear(); steps['denoiser'] = 26058
train_all.denoiser_stage(args)
print(json.dumps({'scratch': scratch, 'from_round': calls, 'total': train_all.V2_DENOISER_STEPS, 'round': train_all.V2_ROUND_SNAPSHOT}))`;
    const r = JSON.parse(runPython(['-c', check, TOOLS_DIR])) as { scratch: string[][]; from_round: string[][]; total: number; round: string };
    expect(r.total).toBe(34000);
    const training = r.scratch.filter((argv) => argv[0].endsWith('train.py'));
    expect(training.map((argv) => flag(argv, '--stop-at-step'))).toEqual(['9000', '19000', '26058', '30000', '34000']);
    expect(training[0]).toContain('--decoder');
    for (const argv of training.slice(1)) {expect(argv).toContain('--resume');}
    expect(training.slice(0, 3).every((argv) => !argv.includes('--faint-outline-repeat'))).toBe(true);
    // Between the round and faint phases, the released weights are kept for the latent's own-latent bank.
    const release = r.scratch.findIndex((argv) => argv[0].endsWith('release_checkpoint.py'));
    expect(release).toBe(3);
    expect(flag(r.scratch[release], '--out')).toBe(r.round);
    // A run stopped where the round phase ends goes on with the faint phase on the same cosine, then restarts it.
    expect(r.from_round).toHaveLength(2);
    const [faint, restart] = r.from_round;
    expect([flag(faint, '--faint-outline-repeat'), flag(faint, '--steps'), flag(faint, '--schedule-from'), flag(faint, '--round-input-frac')])
      .toEqual(['3', '30000', '9000', '0.3']);
    expect([flag(restart, '--faint-outline-repeat'), flag(restart, '--steps'), flag(restart, '--schedule-from'), flag(restart, '--lr'),
      flag(restart, '--round-input-frac'), flag(restart, '--prediction')])
      .toEqual(['3', '34000', '30000', '3e-4', '0.3', 'x0_skip']);
    expect(restart.filter((arg) => arg === '--schedule-from')).toHaveLength(1);
  });
});

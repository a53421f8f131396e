import fs from 'node:fs';
import path from 'node:path';
import type { UnitTiming } from '@shared/domain/generation';
import { weightsPrecisionOf } from '@shared/model/manifest';
import { openVideoModel, type TextConditioning, type VideoModel } from '../../engine/models';
import { readModelPackage } from '../../engine/package/modelPackage';
import { startMeasuredStreamer, type MeasuredStreamer } from '../../engine/pipeline/engineSession';
import { resolveRequest } from '../../engine/pipeline/settings';
import { computeTimesteps, latentElementCount, standardNormalNoise } from '../../engine/sampler';
import { listed, median } from '../stats';
import { compareTensors, type TensorDifference } from './tensorDifference';

/**
 * `npm run bench -- --precision --model FP16_DIR --reference FP32_DIR [--repeats N]`: an fp16 package against the
 * fp32 package of the same checkpoints (issue 25). Per unit kind: load time and run time (medians of N after one
 * warm-up pass, the runs listed); per stage, the largest difference of its output, both packages fed the same
 * inputs: the T5 output for one prompt, one CFG velocity (the fp32 package's text conditioning, one latent, the
 * schedule's first timestep) and the decoded frames of one latent. Every unit is loaded for each pass (the
 * smallest budget, sequential schedule), so a pass's load time is the units' own, never hidden by compute.
 */
export interface PrecisionBenchOptions {
  readonly modelPath: string;
  readonly referencePath: string;
  readonly repeats: number;
  readonly prompt: string;
  readonly clip: { resolution: string; aspect: string; frames: number };
  readonly outFile: string;
}

export interface UnitKindTiming {
  /** The unit kind: its id with the block number dropped (`denoiser.block`, `text.block`, `vae.spatial`, …). */
  readonly kind: string;
  readonly count: number;
  readonly loadMs: number;
  readonly loadMsRuns: number[];
  readonly runMs: number;
  readonly runMsRuns: number[];
}

export interface PackageFigures {
  readonly path: string;
  readonly precision: 'fp16' | 'fp32';
  readonly weightsBytes: number;
  readonly packageBytes: number;
  /** The denoiser's units' run time over one step (CFG batch 2), all units loaded: the step's compute. */
  readonly stepComputeMs: number;
  readonly stepComputeMsRuns: number[];
  readonly decodeMs: number;
  readonly units: UnitKindTiming[];
}

export interface PrecisionBenchResult {
  readonly date: string;
  readonly clip: PrecisionBenchOptions['clip'];
  readonly repeats: number;
  readonly packages: { readonly candidate: PackageFigures; readonly reference: PackageFigures };
  readonly differences: { readonly text: TensorDifference; readonly velocity: TensorDifference; readonly frames: TensorDifference };
}

const unitKindOf = (unitId: string): string => unitId.replace(/\.\d+(?=\.|$)/, '');

function folderBytes(dir: string, filter: (name: string) => boolean = () => true): number {
  return fs
    .readdirSync(dir)
    .filter(filter)
    .reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

/** Load and run durations per unit kind, gathered over passes (each pass loads every unit once). */
class UnitKindTimes {
  private readonly byKind = new Map<string, { count: number; loads: number[][]; runs: number[][] }>();

  add(timeline: readonly UnitTiming[], passIndex: number): void {
    for (const row of timeline) {
      const kind = unitKindOf(row.unitId);
      const entry = this.byKind.get(kind) ?? { count: 0, loads: [], runs: [] };
      this.byKind.set(kind, entry);
      // A unit still resident from an earlier chunk of the same stage (the decoder's) was not loaded again.
      if (row.loadStartMs !== null && row.loadEndMs !== null) {
        (entry.loads[passIndex] ??= []).push(row.loadEndMs - row.loadStartMs);
      }
      (entry.runs[passIndex] ??= []).push(row.runEndMs - row.runStartMs);
      entry.count = entry.runs[passIndex].length;
    }
  }

  /** Per kind, one figure per pass (the mean over that kind's units in the pass), then their median. */
  summary(): UnitKindTiming[] {
    const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
    return [...this.byKind].map(([kind, entry]) => {
      const loadMsRuns = entry.loads.filter((loads) => loads && loads.length > 0).map(mean);
      const runMsRuns = entry.runs.filter(Boolean).map(mean);
      return { kind, count: entry.count, loadMs: median(loadMsRuns), loadMsRuns: listed(loadMsRuns), runMs: median(runMsRuns), runMsRuns: listed(runMsRuns) };
    });
  }
}

interface Outputs {
  readonly text: Float32Array;
  readonly velocity: Float32Array;
  readonly frames: Float32Array;
}

async function openModel(modelPath: string, options: PrecisionBenchOptions): Promise<VideoModel> {
  const pkg = readModelPackage(modelPath);
  const { clip } = resolveRequest({ prompt: options.prompt, modelPath, clip: options.clip }, pkg);
  return openVideoModel(pkg, clip);
}

async function withStreamer<T>(use: (measured: MeasuredStreamer) => Promise<T>): Promise<T> {
  const measured = await startMeasuredStreamer({ budget: { kind: 'min' }, reserveBytes: 0, schedule: 'sequential' });
  try {
    return await use(measured);
  } finally {
    measured.rss.stop();
    await measured.streamer.dispose();
  }
}

/**
 * One package's passes. `conditioning` (the reference's text output) feeds its velocity, so the velocity's
 * difference is the denoiser's own; null: this is the reference, and its own conditioning is used and returned.
 */
async function measurePackage(
  modelPath: string,
  options: PrecisionBenchOptions,
  conditioning: TextConditioning | null,
): Promise<{ figures: PackageFigures; outputs: Outputs; conditioning: TextConditioning }> {
  const model = await openModel(modelPath, options);
  const times = new UnitKindTimes();
  const stepComputeMsRuns: number[] = [];
  const passes = options.repeats + 1;
  return withStreamer(async ({ streamer }) => {
    // Pass 0 of each stage is the warm-up: its timings are dropped.
    const tokens = model.tokenize(options.prompt);
    let own = await model.encodeText(streamer, tokens);
    for (let pass = 1; pass < passes; pass++) {
      own = await model.encodeText(streamer, tokens);
      times.add(own.pass.timeline, pass);
    }
    const used = conditioning ?? own;
    const { manifest } = model;
    const [timestep] = computeTimesteps({
      steps: 30,
      numTimesteps: manifest.sampler.numTimesteps,
      transform: manifest.sampler.timestepTransform,
      clip: { heightPx: model.clip.conditioningHeight, widthPx: model.clip.conditioningWidth, numFrames: model.clip.frames },
    });
    const latent = standardNormalNoise(1, latentElementCount(model.latentShape));
    const velocityRequest = { conditioning: used, latent, timestep, merged: false, step: 0 };
    let { velocity } = await model.predictVelocity(streamer, velocityRequest);
    for (let pass = 1; pass < passes; pass++) {
      const result = await model.predictVelocity(streamer, velocityRequest);
      velocity = result.velocity;
      times.add(result.pass.timeline, pass);
      stepComputeMsRuns.push(result.pass.runMs);
    }
    const decodeStart = performance.now();
    const decoded = await model.decode(streamer, standardNormalNoise(2, latentElementCount(model.latentShape)));
    const decodeMs = performance.now() - decodeStart;
    decoded.passes.forEach((decodePass) => times.add(decodePass.timeline, 1));
    return {
      figures: {
        path: modelPath,
        precision: weightsPrecisionOf(manifest),
        weightsBytes: folderBytes(modelPath, (name) => name.endsWith('.weights')),
        packageBytes: folderBytes(modelPath),
        stepComputeMs: median(stepComputeMsRuns),
        stepComputeMsRuns: listed(stepComputeMsRuns),
        decodeMs: Math.round(decodeMs),
        units: times.summary(),
      },
      outputs: { text: own.captions, velocity, frames: decoded.video },
      conditioning: own,
    };
  });
}

export async function runPrecisionBench(options: PrecisionBenchOptions): Promise<PrecisionBenchResult> {
  const reference = await measurePackage(options.referencePath, options, null);
  const candidate = await measurePackage(options.modelPath, options, reference.conditioning);
  const result: PrecisionBenchResult = {
    date: new Date().toISOString(),
    clip: options.clip,
    repeats: options.repeats,
    packages: { candidate: candidate.figures, reference: reference.figures },
    differences: {
      text: compareTensors(candidate.outputs.text, reference.outputs.text),
      velocity: compareTensors(candidate.outputs.velocity, reference.outputs.velocity),
      frames: compareTensors(candidate.outputs.frames, reference.outputs.frames),
    },
  };
  fs.mkdirSync(path.dirname(options.outFile), { recursive: true });
  fs.writeFileSync(options.outFile, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

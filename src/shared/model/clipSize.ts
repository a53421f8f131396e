import { z } from 'zod';
import type { ClipPresets, PackageManifest } from './manifest';

/**
 * The clip a request asks for, by the package's preset names (models/FORMAT.md, "Clip presets and sampler"):
 * a resolution ("144p"), an aspect (width:height, "16:9") and a frame count (51). Missing fields take the
 * package's default preset.
 */
export const clipChoiceSchema = z
  .object({
    resolution: z.string().min(1).optional(),
    aspect: z.string().regex(/^\d+:\d+$/, 'aspect must be width:height, e.g. "16:9"').optional(),
    frames: z.number().int().positive().optional(),
  })
  .strict();
export type ClipChoice = z.infer<typeof clipChoiceSchema>;

/** A resolved clip: what the sampler integrates, what the denoiser is conditioned on, and what comes out. */
export interface ClipSize {
  /** Preset names; null for a package without presets (its native clip). */
  readonly resolution: string | null;
  readonly aspect: string | null;
  /** Video frames, output pixel size (latent size × spatial factor) and playback fps. */
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** The preset's pixel size: position-embedding scale and timestep transform read it (may exceed the output by < factor). */
  readonly conditioningWidth: number;
  readonly conditioningHeight: number;
  /** The fps the fps embedder sees (Open-Sora: 120 for a single image, else 24). */
  readonly conditioningFps: number;
  readonly latent: { readonly channels: number; readonly frames: number; readonly height: number; readonly width: number };
}

/** A clip choice the package cannot make; the message names the allowed values. */
export class ClipChoiceError extends Error {
  override readonly name = 'ClipChoiceError';
}

/**
 * Latent frames for F video frames with a causal video VAE that encodes chunks of `chunkFrames` into
 * `chunkLatentFrames`, `timeFactor` frames per latent frame inside a chunk (Open-Sora 1.2: 51 → 15, 1 → 1).
 */
export function latentFramesFor(frames: number, chunk: { chunkFrames: number; chunkLatentFrames: number; timeFactor: number }): number {
  const whole = Math.floor(frames / chunk.chunkFrames);
  const rest = frames - whole * chunk.chunkFrames;
  return whole * chunk.chunkLatentFrames + Math.ceil(rest / chunk.timeFactor);
}

/** Allowed values of each field, for messages and pickers. */
export function presetChoices(presets: ClipPresets): { resolutions: string[]; aspects: string[]; frames: number[] } {
  return {
    resolutions: presets.resolutions.map((entry) => entry.name),
    aspects: [...new Set(presets.resolutions.flatMap((entry) => entry.aspects.map((aspect) => aspect.aspect)))],
    frames: presets.durations.map((duration) => duration.frames),
  };
}

/** The clip a package makes for a choice (its default preset for missing fields); refuses naming the allowed values. */
export function resolveClip(manifest: PackageManifest, choice: ClipChoice | undefined): ClipSize {
  if (manifest.architecture === 'stdit3') {
    const { native, latent } = manifest;
    const asked = choice ?? {};
    if (asked.resolution !== undefined || asked.aspect !== undefined || (asked.frames !== undefined && asked.frames !== native.frames)) {
      throw new ClipChoiceError(
        `Model ${manifest.id} makes one clip size (${native.frames} frames, ${native.width}×${native.height} px) and has no resolution or aspect presets.`,
      );
    }
    return {
      resolution: null,
      aspect: null,
      frames: native.frames,
      width: native.width,
      height: native.height,
      fps: native.fps,
      conditioningWidth: native.width,
      conditioningHeight: native.height,
      conditioningFps: manifest.sampler.conditioningFps,
      latent: { ...latent },
    };
  }
  const { presets } = manifest.clip;
  const allowed = presetChoices(presets);
  const resolutionName = choice?.resolution ?? presets.default.resolution;
  const resolution = presets.resolutions.find((entry) => entry.name === resolutionName);
  if (!resolution) {
    throw new ClipChoiceError(`Model ${manifest.id} has no resolution "${resolutionName}"; choose one of ${allowed.resolutions.join(', ')}.`);
  }
  const aspectName = choice?.aspect ?? presets.default.aspect;
  const aspect = resolution.aspects.find((entry) => entry.aspect === aspectName);
  if (!aspect) {
    throw new ClipChoiceError(
      `Model ${manifest.id} has no aspect "${aspectName}" at ${resolution.name}; choose one of ${resolution.aspects.map((entry) => entry.aspect).join(', ')}.`,
    );
  }
  const defaultDuration = presets.durations.find((entry) => entry.name === presets.default.duration) ?? presets.durations[0];
  const frames = choice?.frames ?? defaultDuration.frames;
  const duration = presets.durations.find((entry) => entry.frames === frames);
  if (!duration) {
    const names = presets.durations.map((entry) => `${entry.frames} (${entry.name})`).join(', ');
    throw new ClipChoiceError(`Model ${manifest.id} cannot make ${frames} frames; choose one of ${names}.`);
  }
  const { temporal, spatial } = manifest.vae;
  const factor = spatial.spatialFactor;
  return {
    resolution: resolution.name,
    aspect: aspect.aspect,
    frames,
    width: aspect.latentWidth * factor,
    height: aspect.latentHeight * factor,
    fps: manifest.clip.fps,
    conditioningWidth: aspect.width,
    conditioningHeight: aspect.height,
    conditioningFps: duration.conditioningFps,
    latent: { channels: manifest.latent.channels, frames: latentFramesFor(frames, temporal), height: aspect.latentHeight, width: aspect.latentWidth },
  };
}

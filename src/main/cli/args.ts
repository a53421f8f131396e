import path from 'node:path';
import { parseMemoryBudget } from '@shared/domain/memoryBudget';
import type { GenerateRequest, LplSetting } from '@shared/domain/generation';
import { DYNAMIC_LPL_DEFAULTS } from '@shared/domain/lpl';

export interface CliOptions {
  /** The settings; the model is in `model`, resolved by the caller (an id of the library or a package folder). */
  request: Omit<GenerateRequest, 'modelPath'>;
  /** --model: a model id from `npm run models -- list`, or a package folder; the built-in model when absent. */
  model: string | undefined;
  /** --project: the history project the run is filed in (name or id); the default project when absent. */
  project: string | undefined;
  /** false with --no-history: the run is not recorded and its outputs go to --out or ./outputs. */
  history: boolean;
  /** Output base path (extension decides nothing: GIF, PNG frames, MP4 and a JSON record are all written). */
  outBase: string | undefined;
  json: boolean;
  help: boolean;
  /** --extend: a clip (GIF, MP4 or PNG-frames folder) or a history run id, resolved by the caller into request.reference. */
  extend: { source: string; strength: number | undefined } | undefined;
}

export const CLI_USAGE = `Usage: npm run generate -- "<prompt>" [options]

  --seed N               random seed (0 … 4294967295); random when omitted
  --steps K              denoising steps (default: the model's own)
  --cfg S                classifier-free guidance scale (default: the model's)
  --lpl off|auto|N       Linear Proportional Leap: off, dynamic (auto), or leap at step N (N+1 model calls)
  --tdtm M               merge frame pairs (TDTM) in the first M steps (default 0)
  --memory-budget B      resident model budget: 300MB, 1.5GB, min (smallest working set) or all
  --model ID|PATH        a model id from \`npm run models -- list\`, or a package folder (default: the built-in model)
  --resolution R         clip resolution preset of the model, e.g. 144p (models with presets: Open-Sora 1.2)
  --aspect W:H           clip aspect preset, e.g. 16:9, 9:16 or 1:1
  --frames F             video frames, one of the model's durations, e.g. 1 (image), 51 (2 s) or 102 (4 s)
  --image FILE           start the clip from this PNG/JPEG (its first frame; models with reference frames:
                         Open-Sora 1.2). Scaled to cover the preset and centre-cropped (Open-Sora's resize_crop_to_fill);
                         refused when more than half of it would be cut off or it is under 16 px a side
  --extend CLIP|RUN_ID   continue a clip from its last 17 frames (one VAE chunk): a GIF, a folder of PNG frames,
                         an MP4 (the studio's own: its PNG frames beside it; others: decoded by ffmpeg if on PATH)
                         or a run id of the history (its frames); the new clip starts with them
  --condition-strength S how strictly the reference frames are kept, in (0, 1]: 1 (default) fixed; lower lets
                         them change (Open-Sora's edit ratio r = 1 − S: noised once when t falls to r·1000)
  --project NAME         file the run in this history project (name or id; default: the default project)
  --no-history           do not record the run in the studio's history (outputs go to --out or ./outputs)
  --out FILE             also write the outputs as FILE.gif, FILE.mp4, FILE-frames/*.png and FILE.json
                         (the run's own copy stays in the data folder unless --no-history)
  --json                 print one JSON object (the summary) on stdout; progress stays on stderr
  -h, --help             this text`;

export class CliUsageError extends Error {}

function integerArg(flag: string, value: string | undefined): number {
  if (value === undefined || !/^-?\d+$/.test(value)) {
    throw new CliUsageError(`${flag} needs an integer, got ${value === undefined ? 'nothing' : JSON.stringify(value)}.`);
  }
  return Number(value);
}

function numberArg(flag: string, value: string | undefined): number {
  const parsed = value === undefined ? Number.NaN : Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(parsed)) {
    throw new CliUsageError(`${flag} needs a number, got ${value === undefined ? 'nothing' : JSON.stringify(value)}.`);
  }
  return parsed;
}

function textArg(flag: string, value: string | undefined, what: string): string {
  if (!value) {
    throw new CliUsageError(`${flag} needs ${what}.`);
  }
  return value;
}

function lplArg(value: string | undefined): LplSetting {
  if (value === 'off') {
    return { kind: 'off' };
  }
  if (value === 'auto' || value === 'dynamic') {
    return { kind: 'dynamic', ...DYNAMIC_LPL_DEFAULTS };
  }
  return { kind: 'fixed', leapStep: integerArg('--lpl', value) };
}

/** Parses argv (without node and script). Range checks that need the model happen in the engine. */
export function parseCliArgs(argv: string[]): CliOptions {
  const request: CliOptions['request'] = { prompt: '' };
  const prompts: string[] = [];
  let model: string | undefined;
  let project: string | undefined;
  let history = true;
  let outBase: string | undefined;
  let json = false;
  let help = false;
  let image: string | undefined;
  let extend: string | undefined;
  let strength: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (arg) {
      case '--seed':
        request.seed = integerArg(arg, next());
        break;
      case '--steps':
        request.steps = integerArg(arg, next());
        break;
      case '--cfg':
        request.cfgScale = numberArg(arg, next());
        break;
      case '--lpl':
        request.lpl = lplArg(next());
        break;
      case '--tdtm':
        request.tdtmMergedSteps = integerArg(arg, next());
        break;
      case '--memory-budget': {
        const value = next();
        if (value === undefined) {
          throw new CliUsageError('--memory-budget needs a value: 300MB, min or all.');
        }
        try {
          request.memoryBudget = parseMemoryBudget(value);
        } catch (error) {
          throw new CliUsageError((error as Error).message);
        }
        break;
      }
      case '--resolution':
      case '--aspect': {
        const value = next();
        if (!value || value.startsWith('--')) {
          throw new CliUsageError(`${arg} needs a value (${arg === '--resolution' ? 'e.g. 144p' : 'e.g. 16:9'}).`);
        }
        request.clip = { ...request.clip, [arg === '--resolution' ? 'resolution' : 'aspect']: value };
        break;
      }
      case '--frames':
        request.clip = { ...request.clip, frames: integerArg(arg, next()) };
        break;
      case '--model':
        model = textArg(arg, next(), 'a model id or a package folder');
        break;
      case '--project':
        project = textArg(arg, next(), 'a project name');
        break;
      case '--no-history':
        history = false;
        break;
      case '--out':
        outBase = textArg(arg, next(), 'a file path');
        break;
      case '--json':
        json = true;
        break;
      case '--image':
        image = textArg(arg, next(), 'a PNG or JPEG file');
        break;
      case '--extend':
        extend = textArg(arg, next(), 'a GIF, a folder of PNG frames or a history run id');
        break;
      case '--condition-strength':
        strength = numberArg(arg, next());
        if (!(strength > 0 && strength <= 1)) {
          throw new CliUsageError(`--condition-strength needs a number in (0, 1], got ${strength}.`);
        }
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        if (arg.startsWith('--')) {
          throw new CliUsageError(`Unknown option ${arg}.`);
        }
        prompts.push(arg);
    }
  }
  if (prompts.length > 1) {
    throw new CliUsageError(`Give one prompt in quotes; got ${prompts.length} words outside quotes: ${prompts.map((p) => JSON.stringify(p)).join(' ')}.`);
  }
  request.prompt = prompts[0] ?? '';
  if (!history && project !== undefined) {
    throw new CliUsageError('--project files the run in the history; it cannot go with --no-history.');
  }
  if (image !== undefined && extend !== undefined) {
    throw new CliUsageError('--image and --extend both set the clip\'s first frames; give one of them.');
  }
  if (strength !== undefined && image === undefined && extend === undefined) {
    throw new CliUsageError('--condition-strength needs --image or --extend.');
  }
  if (image !== undefined) {
    request.reference = { kind: 'image', path: path.resolve(image), source: image, ...(strength === undefined ? {} : { strength }) };
  }
  return { request, model, project, history, outBase, json, help, extend: extend === undefined ? undefined : { source: extend, strength } };
}

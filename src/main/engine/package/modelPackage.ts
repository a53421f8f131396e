import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_SCHEMA_VERSION, packageManifestSchema, type PackageManifest } from '@shared/model/manifest';
import { allManifestUnits } from '@shared/model/manifestUnits';
import { manifestContradictions } from './manifestConsistency';
import { ModelPackageError } from './modelPackageError';

/** A validated model package on disk. */
export interface ModelPackage {
  dir: string;
  manifest: PackageManifest;
  vocabulary: string[] | undefined;
  /** float32 [modelMaxLength, captionChannels] */
  nullCaption: Float32Array;
}

/**
 * Reads and validates a package before any generation: the manifest against its schema, every referenced file's
 * existence and size, and the null caption's size. ONNX inputs/outputs are checked separately by the runtime
 * (checkPackageUnits), which needs sessions. Errors name the file and the problem.
 */
export function readModelPackage(dir: string): ModelPackage {
  const packageDir = path.resolve(dir);
  if (!fs.existsSync(packageDir) || !fs.statSync(packageDir).isDirectory()) {
    throw new ModelPackageError(`Model package not found: ${packageDir} is not a folder.`, packageDir);
  }
  const manifestPath = path.join(packageDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new ModelPackageError(`Model package ${packageDir} has no manifest.json.`, manifestPath);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    // V8's message quotes the start of the text; name only the position, so an error never echoes a file's contents.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ModelPackageError(`${manifestPath} is not valid JSON${position ? ` (at character ${position})` : ''}.`, manifestPath);
  }
  refuseUnknownKind(raw, manifestPath);
  const parsed = packageManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 8).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ModelPackageError(`manifest.json does not match schema version ${MANIFEST_SCHEMA_VERSION}: ${issues.join('; ')}`, manifestPath);
  }
  const manifest = parsed.data;
  // The built-in architecture states sizes twice (native/latent/decoder and the graphs); Open-Sora's come from its presets.
  const contradictions = manifest.architecture === 'stdit3' ? manifestContradictions(manifest) : [];
  if (contradictions.length > 0) {
    throw new ModelPackageError(`manifest.json contradicts its own graphs: ${contradictions.join('; ')}.`, manifestPath);
  }

  const problems: string[] = [];
  const requireFile = (relative: string, what: string): string => {
    const full = path.resolve(packageDir, relative);
    if (!full.startsWith(packageDir + path.sep)) {
      problems.push(`${what} path ${relative} leaves the package folder`);
    } else if (!fs.existsSync(full)) {
      problems.push(`${what} file ${relative} is missing`);
    }
    return full;
  };
  for (const unit of allManifestUnits(manifest)) {
    requireFile(unit.file, `unit ${unit.id}`);
    if (unit.weightsFile) {
      requireFile(unit.weightsFile, `unit ${unit.id} weights`);
    }
  }
  const nullCaptionPath = requireFile(manifest.nullCaption.file, 'null caption');
  const tokenizer = manifest.text.tokenizer;
  const vocabPath = tokenizer.kind === 'word' ? requireFile(tokenizer.vocabFile, 'vocabulary') : undefined;
  if (tokenizer.kind === 'sentencepiece') {
    requireFile(tokenizer.modelFile, 'tokenizer model');
  } else if (tokenizer.kind === 'sentencepiece-json') {
    requireFile(tokenizer.tokenizerFile, 'tokenizer');
  }
  if (problems.length > 0) {
    throw new ModelPackageError(`Model package ${manifest.id} is incomplete: ${problems.join('; ')}.`, packageDir);
  }

  const [rows, channels] = manifest.nullCaption.shape;
  const expectedBytes = rows * channels * 4;
  const nullBytes = fs.readFileSync(nullCaptionPath);
  if (nullBytes.byteLength !== expectedBytes) {
    throw new ModelPackageError(
      `${manifest.nullCaption.file} has ${nullBytes.byteLength} bytes; shape [${rows}, ${channels}] float32 needs ${expectedBytes}.`,
      nullCaptionPath,
    );
  }
  const nullCaption = new Float32Array(nullBytes.buffer.slice(nullBytes.byteOffset, nullBytes.byteOffset + nullBytes.byteLength));

  let vocabulary: string[] | undefined;
  if (vocabPath) {
    try {
      const words = JSON.parse(fs.readFileSync(vocabPath, 'utf8')) as unknown;
      if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) {
        throw new Error('expected a JSON array of strings');
      }
      vocabulary = words;
    } catch (error) {
      throw new ModelPackageError(`Vocabulary ${path.relative(packageDir, vocabPath)} is invalid: ${(error as Error).message}`, vocabPath);
    }
  }
  return { dir: packageDir, manifest, vocabulary, nullCaption };
}

const KNOWN_ARCHITECTURES = packageManifestSchema.options.map((option) => option.shape.architecture.value);
const HOW_TO_REMAKE =
  'make the package again with this version of the studio (Open-Sora 1.2: npm run import-model; the built-in model: models/tools/export_package.py)';

/** A manifest of another schema version or architecture is refused before the field-by-field check, saying what to do. */
function refuseUnknownKind(raw: unknown, manifestPath: string): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelPackageError('manifest.json is not a JSON object.', manifestPath);
  }
  const { schemaVersion, architecture } = raw as Record<string, unknown>;
  if (schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    throw new ModelPackageError(
      `manifest.json has schema version ${JSON.stringify(schemaVersion)}; this studio reads version ${MANIFEST_SCHEMA_VERSION}: ${HOW_TO_REMAKE}.`,
      manifestPath,
    );
  }
  if (architecture === undefined) {
    throw new ModelPackageError(`manifest.json names no architecture (an older package): ${HOW_TO_REMAKE}.`, manifestPath);
  }
  if (typeof architecture !== 'string' || !(KNOWN_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new ModelPackageError(
      `manifest.json names the architecture ${JSON.stringify(architecture)}, which this studio cannot run (it runs ${KNOWN_ARCHITECTURES.join(', ')}).`,
      manifestPath,
    );
  }
}

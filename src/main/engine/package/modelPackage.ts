import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_SCHEMA_VERSION, packageManifestSchema, type PackageManifest } from '@shared/model/manifest';
import { allManifestUnits } from '@shared/model/manifestUnits';
import { manifestContradictions } from './manifestConsistency';
import { ModelPackageError } from './modelPackageError';
import { checkFolderFile, readFolderFile, realFolder, requireFolderFile } from './packageFiles';
import { describeIssues } from '@shared/util/describeIssues';

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
  const given = path.resolve(dir);
  const folderStat = fs.statSync(given, { throwIfNoEntry: false });
  if (!folderStat?.isDirectory()) {
    throw new ModelPackageError(`Model package not found: ${given} is not a folder.`, given);
  }
  // Files are checked against the folder's real path: a link inside it may point anywhere inside, never out.
  const packageDir = realFolder(given);
  const manifestPath = path.join(packageDir, 'manifest.json');
  if (!checkFolderFile(packageDir, 'manifest.json', 'manifest')) {
    throw new ModelPackageError(`Model package ${given} has no manifest.json.`, manifestPath);
  }
  const raw = parseJsonFile(readFolderFile(packageDir, 'manifest.json', 'manifest', MAX_MANIFEST_BYTES), 'manifest.json', manifestPath);
  refuseUnknownKind(raw, manifestPath);
  const parsed = packageManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ModelPackageError(`manifest.json does not match schema version ${MANIFEST_SCHEMA_VERSION}: ${describeIssues(parsed.error.issues)}`, manifestPath);
  }
  const manifest = parsed.data;
  // The built-in architecture states sizes twice (native/latent/decoder and the graphs); Open-Sora's come from its presets.
  const contradictions = manifest.architecture === 'stdit3' ? manifestContradictions(manifest) : [];
  if (contradictions.length > 0) {
    throw new ModelPackageError(`manifest.json contradicts its own graphs: ${contradictions.join('; ')}.`, manifestPath);
  }

  const problems: string[] = [];
  const requireFile = (relative: string, what: string): void => {
    try {
      if (!checkFolderFile(packageDir, relative, what)) {
        problems.push(`${what} file ${relative} is missing`);
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  for (const unit of allManifestUnits(manifest)) {
    requireFile(unit.file, `unit ${unit.id}`);
    if (unit.weightsFile) {
      requireFile(unit.weightsFile, `unit ${unit.id} weights`);
    }
  }
  requireFile(manifest.nullCaption.file, 'null caption');
  const tokenizer = manifest.text.tokenizer;
  if (tokenizer.kind === 'word') {
    requireFile(tokenizer.vocabFile, 'vocabulary');
  } else if (tokenizer.kind === 'sentencepiece') {
    requireFile(tokenizer.modelFile, 'tokenizer model');
  } else if (tokenizer.kind === 'sentencepiece-json') {
    requireFile(tokenizer.tokenizerFile, 'tokenizer');
  }
  if (problems.length > 0) {
    throw new ModelPackageError(`Model package ${manifest.id} is incomplete: ${problems.join('; ')}.`, packageDir);
  }

  const [rows, channels] = manifest.nullCaption.shape;
  const expectedBytes = rows * channels * 4;
  const nullCaptionPath = path.join(packageDir, manifest.nullCaption.file);
  // The size is checked before a byte is read (a file of gigabytes is refused, not loaded).
  const nullCaptionBytes = requireFolderFile(packageDir, manifest.nullCaption.file, 'null caption').sizeBytes;
  if (nullCaptionBytes !== expectedBytes) {
    throw new ModelPackageError(`${manifest.nullCaption.file} has ${nullCaptionBytes} bytes; shape [${rows}, ${channels}] float32 needs ${expectedBytes}.`, nullCaptionPath);
  }
  const nullBytes = readFolderFile(packageDir, manifest.nullCaption.file, 'null caption', expectedBytes);
  const nullCaption = new Float32Array(nullBytes.buffer.slice(nullBytes.byteOffset, nullBytes.byteOffset + nullBytes.byteLength));

  let vocabulary: string[] | undefined;
  if (tokenizer.kind === 'word') {
    const vocabPath = path.join(packageDir, tokenizer.vocabFile);
    const words = parseJsonFile(readFolderFile(packageDir, tokenizer.vocabFile, 'vocabulary', MAX_VOCABULARY_BYTES), `Vocabulary ${tokenizer.vocabFile}`, vocabPath);
    if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) {
      throw new ModelPackageError(`Vocabulary ${tokenizer.vocabFile} is invalid: expected a JSON array of strings.`, vocabPath);
    }
    vocabulary = words;
  }
  return { dir: given, manifest, vocabulary, nullCaption };
}

/** A manifest is a few hundred KB at most (an Open-Sora 1.2 one with 28 blocks and its specs: about 200 KB). */
export const MAX_MANIFEST_BYTES = 16 * 1024 ** 2;
const MAX_VOCABULARY_BYTES = 64 * 1024 ** 2;

/**
 * JSON.parse of a package file whose errors name the file and a position: V8's message quotes the start of the text,
 * so it is never passed on (a file linked to a secret must not echo it).
 */
function parseJsonFile(bytes: Buffer, label: string, file: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ModelPackageError(`${label} is not valid JSON${position ? ` (at character ${position})` : ''}.`, file);
  }
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

import fs from 'node:fs';
import path from 'node:path';
import { REFERENCE_IMAGE_MAX_BYTES, type ReferenceRequest, type StudioReference } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import { listRunMedia, REFERENCE_IMAGE_EXTENSIONS, RUN_MEDIA } from '../store/dataFolder';

/** A studio reference made ready for the engine: the file it reads, and what the history keeps (no pixels). */
export interface StagedReference {
  engine: ReferenceRequest;
  recorded: StudioReference;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function imageKind(bytes: Buffer): keyof typeof REFERENCE_IMAGE_EXTENSIONS | null {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return 'png';
  }
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff ? 'jpeg' : null;
}

/**
 * Makes a studio reference something the engine reads, refusing what cannot be one before the job is queued:
 * - image: the uploaded bytes must be a PNG or JPEG within REFERENCE_IMAGE_MAX_BYTES; they are kept in the job's folder
 *   (reference.png / reference.jpg), the run's source, and the engine reads them there (it checks size and aspect
 *   against the preset before the first step);
 * - extend: the named run's frames (its PNG frames, else its GIF) in the data folder.
 * `runFolder` finds a run's folder (null: no such run).
 */
export function stageReference(reference: StudioReference, jobDir: string, runFolder: (runId: string) => string | null): StagedReference {
  const strength = reference.strength === undefined ? {} : { strength: reference.strength };
  if (reference.kind === 'extend') {
    const dir = runFolder(reference.runId);
    const media = dir && fs.existsSync(dir) ? listRunMedia(dir) : null;
    const clip = media ? (media.frames.length > 0 ? path.join(dir as string, RUN_MEDIA.framesDir) : media.gif) : null;
    if (!clip) {
      throw new StudioError('NOT_FOUND', `Run ${reference.runId} cannot be extended: it has no frames or GIF in the data folder.`);
    }
    return { engine: { kind: 'extend', path: clip, source: `run ${reference.runId}`, ...strength }, recorded: { kind: 'extend', runId: reference.runId, ...strength } };
  }
  const { fileName, dataBase64 } = reference;
  if (dataBase64 === undefined) {
    throw new StudioError('INVALID_PARAMS', `The image ${fileName} was not sent with the request: pick or drop it again.`);
  }
  const bytes = Buffer.from(dataBase64, 'base64');
  if (bytes.length === 0 || bytes.length > REFERENCE_IMAGE_MAX_BYTES) {
    throw new StudioError('INVALID_PARAMS', `The image ${fileName} is ${bytes.length} bytes: the studio takes PNG/JPEG images of 1 byte to ${REFERENCE_IMAGE_MAX_BYTES / 1024} KiB.`);
  }
  const kind = imageKind(bytes);
  if (!kind) {
    throw new StudioError('INVALID_PARAMS', `The image ${fileName} is not a PNG or JPEG file (its first bytes say otherwise).`);
  }
  fs.mkdirSync(jobDir, { recursive: true });
  const file = path.join(jobDir, `${RUN_MEDIA.referenceBase}.${REFERENCE_IMAGE_EXTENSIONS[kind]}`);
  fs.writeFileSync(file, bytes);
  return { engine: { kind: 'image', path: file, source: fileName, ...strength }, recorded: { kind: 'image', fileName, ...strength } };
}

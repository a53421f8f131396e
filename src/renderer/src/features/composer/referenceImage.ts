import { REFERENCE_IMAGE_MAX_BYTES } from '@shared/domain/generation';
import { encodeBase64 } from '../../lib/base64';

/** The image the next run starts from, read in the browser: its bytes go to the backend inline with the request. */
export interface ReferenceImage {
  fileName: string;
  dataBase64: string;
  /** An object URL for the thumbnail (revoked when the image is removed). */
  url: string;
  width: number;
  height: number;
}

/** As the engine refuses it (src/main/engine/conditioning/referenceSource.ts): smaller sides cannot fill a preset. */
const MIN_SIDE_PX = 16;
const ACCEPTED_TYPES = ['image/png', 'image/jpeg'];

/** Reads a dropped or picked file, refusing (with the reason) what the backend would refuse. */
export async function readReferenceImage(file: File): Promise<{ ok: true; image: ReferenceImage } | { ok: false; message: string }> {
  if (!ACCEPTED_TYPES.includes(file.type) && !/\.(png|jpe?g)$/i.test(file.name)) {
    return { ok: false, message: `${file.name} is not a PNG or JPEG image.` };
  }
  if (file.size === 0 || file.size > REFERENCE_IMAGE_MAX_BYTES) {
    return { ok: false, message: `${file.name} is ${Math.ceil(file.size / 1024)} KiB: the studio takes images up to ${REFERENCE_IMAGE_MAX_BYTES / 1024} KiB (save a smaller PNG or JPEG).` };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { ok: false, message: `${file.name} could not be read as an image.` };
  }
  const { width, height } = bitmap;
  bitmap.close();
  if (width < MIN_SIDE_PX || height < MIN_SIDE_PX) {
    return { ok: false, message: `${file.name} is ${width} × ${height} pixels: too small (at least ${MIN_SIDE_PX} px a side).` };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { ok: true, image: { fileName: file.name, dataBase64: encodeBase64(bytes), url: URL.createObjectURL(file), width, height } };
}

/**
 * The image a stored run started from ("Use again"), fetched from its folder through the media route and read as if
 * dropped again; when the folder no longer has it, a message that says so (drop it again to start from it).
 */
export async function restoreRunReferenceImage(
  fileName: string,
  locate: () => Promise<{ url: string | null }>,
): Promise<{ ok: true; image: ReferenceImage } | { ok: false; message: string }> {
  const gone = { ok: false as const, message: `The start image ${fileName} is no longer in the run's folder: drop it again to start from it.` };
  try {
    const { url } = await locate();
    const response = url ? await fetch(url) : null;
    if (!response?.ok) {
      return gone;
    }
    const blob = await response.blob();
    return await readReferenceImage(new File([blob], fileName, { type: blob.type }));
  } catch {
    return gone;
  }
}

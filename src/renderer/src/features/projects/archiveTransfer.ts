import type { ImportOutcome } from '@shared/domain/projects';
import { ARCHIVE_CHUNK_BYTES } from '@shared/ipc/contract';
import { decodeBase64, encodeBase64 } from '../../lib/base64';
import { saveBytes } from '../../lib/download';
import { studio } from '../../ipc/studio';

/** "Export project…": the backend writes the zip, the page reads it back in pieces and downloads it. */
export async function downloadProjectArchive(projectId: string, onProgress: (fraction: number) => void): Promise<{ fileName: string; sizeBytes: number }> {
  const { exportId, fileName, sizeBytes } = await studio.invoke('projects.export', { id: projectId });
  const bytes = new Uint8Array(sizeBytes);
  let offset = 0;
  for (let done = false; !done; ) {
    const chunk = await studio.invoke('projects.exportChunk', { exportId, offset });
    const piece = decodeBase64(chunk.dataBase64);
    bytes.set(piece, offset);
    offset += piece.length;
    done = chunk.done;
    onProgress(sizeBytes === 0 ? 1 : offset / sizeBytes);
  }
  saveBytes(bytes, fileName, 'application/zip');
  return { fileName, sizeBytes };
}

/** "Import project…": the chosen file goes up in pieces (never read whole), then the backend checks and imports it. */
export async function uploadProjectArchive(file: File, onProgress: (fraction: number) => void): Promise<ImportOutcome> {
  const { uploadId } = await studio.invoke('projects.importBegin', { fileName: file.name, sizeBytes: Math.max(1, file.size) });
  for (let offset = 0; offset < file.size; offset += ARCHIVE_CHUNK_BYTES) {
    const piece = new Uint8Array(await file.slice(offset, offset + ARCHIVE_CHUNK_BYTES).arrayBuffer());
    await studio.invoke('projects.importChunk', { uploadId, offset, dataBase64: encodeBase64(piece) });
    onProgress(Math.min(1, (offset + piece.length) / file.size));
  }
  return studio.invoke('projects.importFinish', { uploadId });
}

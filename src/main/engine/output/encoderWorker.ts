import { Worker } from 'node:worker_threads';

/**
 * Runs an encoder's body (CommonJS source, eval'd) in a worker thread with `workerData`, the frame buffers moved
 * rather than copied, and resolves with the one message it posts: the encoded bytes. Encoders are synchronous
 * WebAssembly or JS work that would otherwise hold the calling thread (the engine's, and its watchdog's ping) for
 * the whole clip. `what` names the encoder and its output in errors.
 */
export async function encodeInWorker(source: string, workerData: object, transferList: ArrayBuffer[], what: { encoder: string; output: string }): Promise<Uint8Array> {
  const worker = new Worker(source, { eval: true, workerData, transferList });
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      worker.once('message', (bytes: Uint8Array) => resolve(bytes));
      worker.once('error', (error) => reject(new Error(`The ${what.encoder} failed: ${error.message}`)));
      worker.once('exit', (code) => reject(new Error(`The ${what.encoder} stopped (exit ${code}) before writing the ${what.output}.`)));
    });
  } finally {
    await worker.terminate();
  }
}

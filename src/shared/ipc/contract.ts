import { z } from 'zod';
import { modelIdSchema, studioGenerateRequestSchema, type GenerationSummary } from '../domain/generation';
import { historyQuerySchema, type HistoryEntry, type StoreHealth } from '../domain/history';
import { projectNameSchema, saveComparisonSchema, type ImportOutcome, type Project, type SavedComparison } from '../domain/projects';
import type { JobEvent, JobResult, ModelSummary, QueueSnapshot } from '../domain/studio';
import type { BrokenModel, ModelImportEvent } from '../domain/models';
import { runExportRequestSchema, type RunExportResult } from '../domain/runExport';

/**
 * The one typed contract between the UI and the backend. The Electron preload, the browser-mode WebSocket
 * client and the backend router are all derived from it. Params are validated with these schemas where they
 * enter the backend; results are typed by the interfaces below.
 */

export const systemInfoSchema = z.object({
  platform: z.string(),
  arch: z.string(),
  nodeVersion: z.string(),
  onnxruntimeVersion: z.string(),
  executionProviders: z.array(z.string()),
  totalMemoryBytes: z.number(),
  freeMemoryBytes: z.number(),
  engineProcessId: z.number(),
  engineRssBytes: z.number(),
  engineStartedAtMs: z.number(),
  runtimeCheck: z.object({
    ok: z.boolean(),
    model: z.string(),
    durationMs: z.number(),
    maxAbsError: z.number(),
  }),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

/**
 * A folder on the machine that runs the studio, typed or picked by its user: only "Add model…" takes one (to copy
 * or import from), never generation. Absolute, no NUL; the backend checks what is there.
 */
const localFolderSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((value) => !value.includes('\0'), 'must not contain NUL')
  .refine((value) => value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('\\\\'), 'must be an absolute folder path');

export type EngineState =
  | { kind: 'starting' }
  | { kind: 'ready'; processId: number }
  | { kind: 'crashed'; exitCode: number | null; signal: string | null; restartInMs: number; reason?: string };

const id = z.string().min(1).max(100);

/** A generation request, and where its run goes: a project (the default when absent) and the run it was made from. */
export const generationStartSchema = studioGenerateRequestSchema.extend({ projectId: id.optional(), derivedFrom: id.optional() }).strict();

/** Archives cross the contract in pieces of at most this many bytes (a WebSocket frame stays under 1 MiB). */
export const ARCHIVE_CHUNK_BYTES = 512 * 1024;

/** A stored run's clip: URLs of the frame PNGs as written (the UI loads and decodes them) and the run's record. */
export interface StoredRunClip {
  runId: string;
  entry: HistoryEntry;
  summary: GenerationSummary;
  width: number;
  height: number;
  fps: number;
  frameUrls: string[];
}

/** Request/response methods: params schema and result type. */
export const invokeParamSchemas = {
  'system.info': z.object({}).strict(),
  'engine.state': z.object({}).strict(),
  'app.ping': z.object({ echo: z.string().max(1000) }).strict(),
  'models.list': z.object({}).strict(),
  'models.broken': z.object({}).strict(),
  'models.add': z.object({ path: localFolderSchema }).strict(),
  'models.import': z.object({ stdit: localFolderSchema, vae: localFolderSchema, t5: localFolderSchema, name: z.string().trim().min(1).max(100).optional() }).strict(),
  'models.cancelImport': z.object({ importId: z.string().min(1).max(100) }).strict(),
  'models.remove': z.object({ id: modelIdSchema }).strict(),
  'models.pickFolder': z.object({}).strict(),
  'generation.start': generationStartSchema,
  'generation.cancel': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'generation.finishNow': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'generation.reorder': z.object({ jobId: z.string().min(1).max(100), toIndex: z.number().int().min(0) }).strict(),
  'generation.queue': z.object({}).strict(),
  'generation.result': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'history.list': historyQuerySchema,
  'history.delete': z.object({ id: z.string().min(1).max(100) }).strict(),
  'history.star': z.object({ id, starred: z.boolean() }).strict(),
  'runs.thumbnail': z.object({ id }).strict(),
  'runs.preview': z.object({ id }).strict(),
  'runs.referenceImage': z.object({ id }).strict(),
  'runs.clip': z.object({ id }).strict(),
  'runs.reveal': z.object({ id }).strict(),
  'runs.export': runExportRequestSchema,
  'settings.outputs': z.object({}).strict(),
  'settings.setOutputs': z.object({ copyDir: z.string().min(1).max(4096).nullable() }).strict(),
  'runs.move': z.object({ ids: z.array(id).min(1).max(10_000), projectId: id }).strict(),
  'projects.list': z.object({}).strict(),
  'projects.create': z.object({ name: projectNameSchema }).strict(),
  'projects.rename': z.object({ id, name: projectNameSchema }).strict(),
  /** Deletes the project with its runs, comparisons and files: `confirm` must be true (the UI asked). */
  'projects.delete': z.object({ id, confirm: z.literal(true) }).strict(),
  /** Writes the project's archive in the data folder; fetch it with projects.exportChunk. */
  'projects.export': z.object({ id }).strict(),
  'projects.exportChunk': z.object({ exportId: id, offset: z.number().int().min(0) }).strict(),
  'projects.importBegin': z.object({ fileName: z.string().min(1).max(255), sizeBytes: z.number().int().min(1) }).strict(),
  'projects.importChunk': z.object({ uploadId: id, offset: z.number().int().min(0), dataBase64: z.string().max(Math.ceil((ARCHIVE_CHUNK_BYTES * 4) / 3) + 4) }).strict(),
  'projects.importFinish': z.object({ uploadId: id }).strict(),
  'comparisons.save': saveComparisonSchema,
  'comparisons.setRun': z.object({ id, position: z.number().int().min(0).max(11), runId: id.nullable(), startError: z.string().max(2000).nullable() }).strict(),
  'comparisons.list': z.object({ projectId: id.optional() }).strict(),
  'comparisons.get': z.object({ id }).strict(),
  'store.health': z.object({}).strict(),
} as const;

export interface StudioInvokeResults {
  'system.info': SystemInfo;
  'engine.state': EngineState;
  'app.ping': { echo: string; serverTimeMs: number };
  'models.list': ModelSummary[];
  /** Added models whose package no longer reads, with the reason (they can be removed). */
  'models.broken': BrokenModel[];
  /** Copies a checked package folder into the data folder and registers it. */
  'models.add': ModelSummary;
  /** Starts importing Open-Sora 1.2 checkpoints into the data folder; progress and the end arrive on "models.import". */
  'models.import': { importId: string };
  'models.cancelImport': { cancelled: boolean };
  /** Deletes an added model's folder (the UI asks first). */
  'models.remove': { removed: true };
  /** The desktop app's folder chooser (null: the user cancelled); browser mode answers UNKNOWN_METHOD (paths are typed). */
  'models.pickFolder': { path: string | null };
  'generation.start': { jobId: string };
  'generation.cancel': { cancelled: boolean };
  'generation.finishNow': { accepted: boolean };
  'generation.reorder': QueueSnapshot;
  'generation.queue': QueueSnapshot;
  'generation.result': JobResult;
  'history.list': { entries: HistoryEntry[]; total: number };
  'history.delete': { deleted: boolean };
  'history.star': { starred: boolean };
  /** URLs of the media route (the files stay on disk); null when the run has none. */
  'runs.thumbnail': { url: string | null };
  'runs.preview': { url: string | null };
  /** The image a run started from, as kept in its folder ("Use again" restores it); null when it is gone. */
  'runs.referenceImage': { url: string | null };
  'runs.clip': StoredRunClip;
  /** Shows the run's clip file selected in Finder / Explorer / the file manager, on the machine that runs the studio. */
  'runs.reveal': { revealed: true; file: string };
  /** Copies (or makes from the frames on disk) a run's MP4, GIF, frame PNG or record: saved where the user chose, or to download. */
  'runs.export': RunExportResult;
  /** The outputs folder: where finished clips are also saved (null: only in the data folder). */
  'settings.outputs': { copyDir: string | null };
  'settings.setOutputs': { copyDir: string | null };
  'runs.move': { moved: number };
  'projects.list': Project[];
  'projects.create': Project;
  'projects.rename': Project;
  'projects.delete': { deleted: boolean; removedRuns: number };
  'projects.export': { exportId: string; fileName: string; sizeBytes: number };
  'projects.exportChunk': { dataBase64: string; done: boolean };
  'projects.importBegin': { uploadId: string };
  'projects.importChunk': { receivedBytes: number };
  'projects.importFinish': ImportOutcome;
  'comparisons.save': SavedComparison;
  'comparisons.setRun': SavedComparison;
  'comparisons.list': SavedComparison[];
  'comparisons.get': { comparison: SavedComparison; runs: HistoryEntry[] };
  'store.health': StoreHealth;
}

export type InvokeMethod = keyof typeof invokeParamSchemas;
export type InvokeParams<M extends InvokeMethod> = z.input<(typeof invokeParamSchemas)[M]>;
export type InvokeResult<M extends InvokeMethod> = StudioInvokeResults[M];

/** Event streams pushed from the backend. */
export interface StudioEvents {
  'engine.state': EngineState;
  'generation.event': JobEvent;
  'generation.queue': QueueSnapshot;
  /** The prompt history changed (a generation finished, or an entry was deleted). */
  'history.changed': { id: string };
  /** Projects or saved comparisons changed (created, renamed, deleted, imported; a comparison saved). */
  'projects.changed': Record<string, never>;
  /** A model was added or removed: lists refresh. */
  'models.changed': { id: string };
  'models.import': ModelImportEvent;
  /** The prompt history stopped (or resumed) taking writes. */
  'store.health': StoreHealth;
}
export type EventChannel = keyof StudioEvents;

/** What the renderer sees as `window.studio` (Electron) or the WebSocket client (browser mode). */
export interface StudioApi {
  invoke<M extends InvokeMethod>(method: M, params: InvokeParams<M>): Promise<InvokeResult<M>>;
  /** Returns an unsubscribe function. */
  on<C extends EventChannel>(channel: C, listener: (payload: StudioEvents[C]) => void): () => void;
}

import { useCallback, useState } from 'react';
import type { GenerationSummary, StudioGenerateRequest } from '@shared/domain/generation';
import type { HistoryEntry } from '@shared/domain/history';
import type { JobId } from '@shared/domain/studio';
import { settingsFromResolved, toGenerateRequest } from '../composer/composerSettings';
import { selectedModelOf, type ModelsState } from '../composer/useModels';
import type { ComposerState } from '../composer/useComposerSettings';
import type { GenerationActions } from '../generation/jobFeed';
import { restoreRunReferenceImage, type ReferenceImage } from '../composer/referenceImage';
import { studio } from '../../ipc/studio';
import { composerSettingsFromHistory } from '../history/historyToComposer';
import { currentProjectId } from '../projects/currentProject';

export interface CommandError {
  code: string;
  message: string;
}

export interface WorkspaceCommands {
  generate: () => Promise<void>;
  cancelRunning: () => Promise<void>;
  finishRunning: () => Promise<void>;
  cancelJob: (jobId: JobId) => void;
  finishJob: (jobId: JobId) => void;
  moveJob: (jobId: JobId, toIndex: number) => void;
  /** Refills the composer with a result's settings; the next run records `jobId` as what it was made from. */
  reuse: (summary: GenerationSummary, jobId?: JobId) => void;
  /** Refills the composer with a history entry's request (seed locked to the one it ran with) and focuses the prompt. */
  reuseHistoryEntry: (entry: HistoryEntry) => void;
  /** Starts a run that continues `runId` from its last frames, with `base`'s settings (a new seed). */
  extend: (runId: JobId, base: StudioGenerateRequest) => Promise<void>;
  /** The image the next run starts from (image-to-video), or null. */
  referenceImage: ReferenceImage | null;
  setReferenceImage: (image: ReferenceImage | null) => void;
  submitting: boolean;
  error: CommandError | null;
}

interface Inputs {
  composer: ComposerState;
  models: ModelsState;
  actions: GenerationActions;
  runningJobId: JobId | null;
  rememberPrompt: (prompt: string) => void;
}

/** What the buttons and shortcuts do: build the request, call the backend, report errors next to the composer. */
export function useWorkspaceCommands({ composer, models, actions, runningJobId, rememberPrompt }: Inputs): WorkspaceCommands {
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  // The run the composer was last refilled from ("Use again", "Reuse these settings"): the lineage of the next runs.
  const [derivedFrom, setDerivedFrom] = useState<JobId | undefined>(undefined);
  const { settings, update } = composer;

  const [referenceImage, setReferenceImage] = useState<ReferenceImage | null>(null);

  const generate = useCallback(async () => {
    const model = selectedModelOf(settings, models);
    const built = toGenerateRequest(settings, model, referenceImage);
    if (!built.ok) {
      setError({ code: 'CHECK_FORM', message: built.message });
      return;
    }
    if (referenceImage && model && !model.referenceFrames.supported) {
      setError({ code: 'CHECK_FORM', message: `The start image ${referenceImage.fileName} cannot be used: ${model.referenceFrames.reason}` });
      return;
    }
    setSubmitting(true);
    const outcome = await actions.start(built.request, { projectId: currentProjectId(), derivedFrom });
    setSubmitting(false);
    if (outcome.ok) {
      setError(null);
      rememberPrompt(built.request.prompt);
    } else {
      setError({ code: outcome.code, message: outcome.message });
    }
  }, [settings, models, actions, rememberPrompt, derivedFrom, referenceImage]);

  const extend = useCallback(
    async (runId: JobId, base: StudioGenerateRequest) => {
      const { seed: _seed, reference: _reference, ...settingsOfRun } = base;
      const outcome = await actions.start({ ...settingsOfRun, reference: { kind: 'extend', runId } }, { projectId: currentProjectId() });
      setError(outcome.ok ? null : { code: outcome.code, message: outcome.message });
    },
    [actions],
  );

  const report = useCallback((outcome: { ok: true } | { ok: false; code: string; message: string }) => {
    if (!outcome.ok) {
      setError({ code: outcome.code, message: outcome.message });
    }
  }, []);

  const cancelJob = useCallback((jobId: JobId) => void actions.cancel(jobId).then(report), [actions, report]);
  const finishJob = useCallback((jobId: JobId) => void actions.finishNow(jobId).then(report), [actions, report]);
  const moveJob = useCallback((jobId: JobId, toIndex: number) => void actions.reorder(jobId, toIndex).then(report), [actions, report]);

  const cancelRunning = useCallback(async () => {
    if (runningJobId) {
      report(await actions.cancel(runningJobId));
    }
  }, [actions, runningJobId, report]);
  const finishRunning = useCallback(async () => {
    if (runningJobId) {
      report(await actions.finishNow(runningJobId));
    }
  }, [actions, runningJobId, report]);

  const reuse = useCallback(
    (summary: GenerationSummary, jobId?: JobId) => {
      update(settingsFromResolved(summary.settings));
      setDerivedFrom(jobId);
    },
    [update],
  );

  // "Use again" on a run from an image: the image comes back from the run's folder (with its strength), or it is gone.
  const restoreStartImage = useCallback(
    (runId: JobId, reference: StudioGenerateRequest['reference']) => {
      if (reference?.kind !== 'image') {
        return;
      }
      update({ conditionStrength: reference.strength ?? 1 });
      void restoreRunReferenceImage(reference.fileName, () => studio.invoke('runs.referenceImage', { id: runId })).then((restored) => {
        if (restored.ok) {
          setReferenceImage(restored.image);
        } else {
          setError({ code: 'IMAGE_GONE', message: restored.message });
        }
      });
    },
    [update],
  );

  const reuseHistoryEntry = useCallback(
    (entry: HistoryEntry) => {
      update(composerSettingsFromHistory(entry, models.kind === 'ready' ? models.models : []));
      setDerivedFrom(entry.id);
      setError(null);
      restoreStartImage(entry.id, entry.request.reference);
      requestAnimationFrame(() => document.getElementById('prompt-input')?.focus());
    },
    [update, models, restoreStartImage],
  );

  return { generate, cancelRunning, finishRunning, cancelJob, finishJob, moveJob, reuse, reuseHistoryEntry, extend, referenceImage, setReferenceImage, submitting, error };
}

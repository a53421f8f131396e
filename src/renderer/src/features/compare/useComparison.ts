import { useCallback, useEffect, useRef, useState } from 'react';
import type { SavedComparison } from '@shared/domain/projects';
import type { JobId, ModelSummary } from '@shared/domain/studio';
import { describeError, studio } from '../../ipc/studio';
import { readStored, writeStored } from '../../lib/localStore';
import { toGenerateRequest, type ComposerSettings } from '../composer/composerSettings';
import { currentProjectId } from '../projects/currentProject';
import type { GenerationActions } from '../generation/jobFeed';
import { defaultVariants, newVariantKey, restoreVariants, variantLabel, variantProblem, variantRequest, type CompareVariant } from './compareVariants';

const VARIANTS_KEY = 'studio.compare.variants.v1';

/** One variant of a comparison and the job that runs it (null until queued, or when the backend refused it). */
export interface ComparisonRun {
  variant: CompareVariant;
  jobId: JobId | null;
  startError: string | null;
}

export interface Comparison {
  prompt: string;
  seed: number;
  runs: readonly ComparisonRun[];
  /** The stored comparison (null while it is being saved, or when saving failed). */
  savedId: string | null;
}

export interface ComparisonState {
  variants: readonly CompareVariant[];
  setVariants: (variants: CompareVariant[]) => void;
  /** The default variants for the composer's step count. */
  resetVariants: () => void;
  comparison: Comparison | null;
  starting: boolean;
  error: string | null;
  /** Queues one job per variant, in order (the first is the baseline the others are measured against). */
  start: () => Promise<void>;
  /** Cancels the comparison's jobs that have not ended. */
  cancel: (activeJobIds: readonly JobId[]) => void;
  /** Shows a saved comparison as it was. */
  open: (saved: SavedComparison) => void;
}

interface Inputs {
  settings: ComposerSettings;
  model: ModelSummary | undefined;
  actions: GenerationActions;
}

/** The variant list (kept across reloads) and the comparison queued from it through the ordinary job queue. */
export function useComparison({ settings, model, actions }: Inputs): ComparisonState {
  const [variants, setVariantsState] = useState<CompareVariant[]>(() => restoreVariants(readStored(VARIANTS_KEY)) ?? defaultVariants(settings.steps));
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const startingRef = useRef(false);

  useEffect(() => {
    writeStored(
      VARIANTS_KEY,
      variants.map(({ steps, lpl }) => ({ steps, lpl })),
    );
  }, [variants]);

  const setVariants = useCallback((next: CompareVariant[]) => setVariantsState(next), []);
  const resetVariants = useCallback(() => setVariantsState(defaultVariants(settings.steps)), [settings.steps]);

  const start = useCallback(async () => {
    if (startingRef.current) {
      return;
    }
    // The composer's settings with the seed it shows locked, so every variant starts from the same noise. Steps and
    // LPL come from each variant, so the composer's own (placeholders here) cannot stop a comparison.
    const built = toGenerateRequest({ ...settings, seedMode: 'locked', steps: 1, lplMode: 'off' }, model);
    if (!built.ok) {
      setError(built.message);
      return;
    }
    if (variants.length < 2) {
      setError('Add at least two variants to compare.');
      return;
    }
    const tdtm = built.request.tdtmMergedSteps ?? 0;
    for (const [index, variant] of variants.entries()) {
      const problem = variantProblem(variant, tdtm);
      if (problem) {
        setError(`Variant ${index + 1} (${variantLabel(variant)}): ${problem}`);
        return;
      }
    }
    const seed = settings.seed;
    const prompt = built.request.prompt;
    const runs: ComparisonRun[] = variants.map((variant) => ({ variant, jobId: null, startError: null }));
    startingRef.current = true;
    setStarting(true);
    setError(null);
    setComparison({ prompt, seed, runs: [...runs], savedId: null });
    // Saved first (so it survives a closed page), then each variant's run filled in as it is queued.
    const projectId = currentProjectId();
    let savedId: string | null = null;
    try {
      const saved = await studio.invoke('comparisons.save', { projectId, prompt, seed, variants: variants.map(({ steps, lpl }) => ({ variant: { steps, lpl }, runId: null, startError: null })) });
      savedId = saved.id;
    } catch (reason) {
      setError(`The comparison runs but could not be saved: ${describeError(reason).message}`);
    }
    for (const [index, variant] of variants.entries()) {
      const outcome = await actions.start(variantRequest(built.request, seed, variant), { projectId });
      runs[index] = outcome.ok ? { variant, jobId: outcome.value, startError: null } : { variant, jobId: null, startError: `${outcome.code}: ${outcome.message}` };
      if (savedId) {
        await studio.invoke('comparisons.setRun', { id: savedId, position: index, runId: runs[index].jobId, startError: runs[index].startError }).catch(() => undefined);
      }
      setComparison({ prompt, seed, runs: [...runs], savedId });
    }
    startingRef.current = false;
    setStarting(false);
  }, [settings, model, variants, actions]);

  const cancel = useCallback(
    (activeJobIds: readonly JobId[]) => {
      for (const jobId of activeJobIds) {
        void actions.cancel(jobId);
      }
    },
    [actions],
  );

  const open = useCallback((saved: SavedComparison) => {
    setError(null);
    setComparison({
      prompt: saved.prompt,
      seed: saved.seed,
      savedId: saved.id,
      runs: saved.variants.map((entry) => ({ variant: { key: newVariantKey(), steps: entry.variant.steps, lpl: entry.variant.lpl }, jobId: entry.runId, startError: entry.startError })),
    });
  }, []);

  return { variants, setVariants, resetVariants, comparison, starting, error, start, cancel, open };
}

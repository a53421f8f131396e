import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobId, ModelSummary } from '../../../../shared/domain/studio';
import { readStored, writeStored } from '../../lib/localStore';
import { toGenerateRequest, type ComposerSettings } from '../composer/composerSettings';
import type { GenerationActions } from '../generation/jobFeed';
import { defaultVariants, restoreVariants, variantLabel, variantProblem, variantRequest, type CompareVariant } from './compareVariants';

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
    const runs: ComparisonRun[] = variants.map((variant) => ({ variant, jobId: null, startError: null }));
    startingRef.current = true;
    setStarting(true);
    setError(null);
    setComparison({ prompt: built.request.prompt, seed, runs: [...runs] });
    for (const [index, variant] of variants.entries()) {
      const outcome = await actions.start(variantRequest(built.request, seed, variant));
      runs[index] = outcome.ok ? { variant, jobId: outcome.value, startError: null } : { variant, jobId: null, startError: `${outcome.code}: ${outcome.message}` };
      setComparison({ prompt: built.request.prompt, seed, runs: [...runs] });
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

  return { variants, setVariants, resetVariants, comparison, starting, error, start, cancel };
}

import { useCallback, useMemo, useState } from 'react';
import { ModelsDialog } from '../models/ModelsDialog';
import { budgetFromSettings, type ComposerSettings } from './composerSettings';
import { ConditionStrengthField } from './ConditionStrengthField';
import { forecastMemory, type MemoryForecast } from './forecast';
import { ForecastView } from './ForecastView';
import { MemoryBudgetField } from './MemoryBudgetField';
import { ModelFields } from './ModelFields';
import { PresetBar } from './PresetBar';
import { PromptField } from './PromptField';
import type { ReferenceImage } from './referenceImage';
import { ReferenceImageField } from './ReferenceImageField';
import { SamplerFields } from './SamplerFields';
import { SettingsFold } from './SettingsFold';
import { summarizeSettings } from './settingsSummary';
import { selectedModelOf, type ModelsState } from './useModels';
import type { PresetsState } from './usePresets';

export interface ComposerProps {
  settings: ComposerSettings;
  update: (change: Partial<ComposerSettings>) => void;
  models: ModelsState;
  history: readonly string[];
  presets: PresetsState;
  /** A job is running that Cancel / Finish now would act on. */
  hasRunningJob: boolean;
  submitting: boolean;
  error: { code: string; message: string } | null;
  onGenerate: () => void;
  onCancel: () => void;
  onFinishNow: () => void;
  /** The image the next run starts from (models with reference frames). */
  referenceImage: ReferenceImage | null;
  onReferenceImage: (image: ReferenceImage | null) => void;
}

/**
 * The prompt composer: prompt, the run buttons and the sampler settings changed from run to run; the model, clip
 * size, TDTM, memory budget with its forecast and the presets fold away under a one-line summary.
 */
export function Composer(props: ComposerProps): React.JSX.Element {
  const { settings, update, models } = props;
  const model = selectedModelOf(settings, models);
  const { budgetMode, budgetText } = settings;
  const budget = useMemo(() => budgetFromSettings({ budgetMode, budgetText }), [budgetMode, budgetText]);
  const usesMerged = Number.isFinite(settings.tdtmMergedSteps) && settings.tdtmMergedSteps > 0;
  const { clipPreset } = settings;
  const [modelsOpen, setModelsOpen] = useState(false);
  const pickAdded = useCallback((modelId: string) => update({ modelId, clipPreset: '' }), [update]);
  const listed = models.kind === 'ready' ? models.models : [];
  // A start image adds the VAE encoder's pass to the run (and so to its forecast).
  const conditioned = props.referenceImage !== null;
  const forecast = useMemo<MemoryForecast | null>(
    () => (model && budget.ok ? forecastMemory(model, budget.budget, { usesMergedSteps: usesMerged, conditioned }, clipPreset) : null),
    [model, budget, usesMerged, conditioned, clipPreset],
  );

  const generate = (event: React.FormEvent): void => {
    event.preventDefault();
    props.onGenerate();
  };

  return (
    <section className="panel composer" aria-labelledby="composer-heading" data-testid="composer">
      <h2 id="composer-heading">Compose</h2>
      <form onSubmit={generate}>
        <PromptField value={settings.prompt} history={props.history} onChange={(prompt) => update({ prompt })} />
        <ReferenceImageField image={props.referenceImage} onChange={props.onReferenceImage} model={model} />
        <div className="actions">
          <button type="submit" className="primary" data-testid="generate-button" disabled={props.submitting} aria-keyshortcuts="Control+Enter Meta+Enter">
            {props.hasRunningJob ? 'Generate (queue)' : 'Generate'}
          </button>
          <button type="button" data-testid="finish-now-button" disabled={!props.hasRunningJob} onClick={props.onFinishNow} title="Leap to the end at the next step (LPL)">
            Finish now
          </button>
          <button type="button" data-testid="cancel-button" disabled={!props.hasRunningJob} onClick={props.onCancel} aria-keyshortcuts="Escape">
            Cancel
          </button>
        </div>
        <div aria-live="assertive" className="composer-error-slot">
          {props.error ? (
            <p className="error" role="alert" data-testid="composer-error" data-code={props.error.code}>
              <strong>{props.error.code}</strong>: {props.error.message}
            </p>
          ) : null}
        </div>
        {models.kind === 'error' ? (
          <p className="error" role="alert">
            Could not list the models: {models.message}
          </p>
        ) : null}
        <SamplerFields settings={settings} selectedModel={model} update={update} />
      </form>
      <SettingsFold summary={summarizeSettings({ settings, model, forecast, presetCount: props.presets.presets.length, conditioned })} warning={forecast?.kind === 'below-minimum' || !budget.ok}>
        <form onSubmit={generate}>
          <ModelFields settings={settings} models={listed} selectedModel={model} update={update} onManageModels={() => setModelsOpen(true)} />
          {conditioned ? <ConditionStrengthField settings={settings} update={update} /> : null}
          <MemoryBudgetField settings={settings} update={update} problem={budget.ok ? null : budget.message} />
        </form>
        <ForecastView forecast={forecast} unavailable={!model ? 'The memory forecast appears once a model is listed.' : 'Give a budget size the forecast can read (e.g. 300MB).'} />
        <PresetBar presets={props.presets} settings={settings} apply={update} />
      </SettingsFold>
      <ModelsDialog open={modelsOpen} models={listed} onClose={() => setModelsOpen(false)} onAdded={pickAdded} />
    </section>
  );
}

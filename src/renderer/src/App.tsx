import { useEffect, useMemo, useState } from 'react';
import type { JobId } from '../../shared/domain/studio';
import { ComparePanel } from './features/compare/ComparePanel';
import { Composer } from './features/composer/Composer';
import { useComposerSettings } from './features/composer/useComposerSettings';
import { selectedModelOf, useModels } from './features/composer/useModels';
import { usePresets } from './features/composer/usePresets';
import { usePromptHistory } from './features/composer/usePromptHistory';
import { useGenerationActions, useGenerationFeed, useJobsSnapshot } from './features/generation/jobFeed';
import { selectEndedJobs, selectFinishedJobIds, selectLiveJobId } from './features/generation/jobStore';
import { HistoryPanel } from './features/history/HistoryPanel';
import { LiveView } from './features/live/LiveView';
import { ProjectsBar } from './features/projects/ProjectsBar';
import { QueuePanel } from './features/queue/QueuePanel';
import { ResultView } from './features/result/ResultView';
import { EngineBanner } from './features/system/EngineBanner';
import { SystemPanel } from './features/system/SystemPanel';
import { useEngineState } from './features/system/useEngineState';
import { useWorkspaceCommands } from './features/workspace/useWorkspaceCommands';
import { useShortcuts } from './lib/useShortcuts';

export function App(): React.JSX.Element {
  const engineState = useEngineState();
  const readyPid = engineState.kind === 'ready' ? engineState.processId : undefined;
  useGenerationFeed(readyPid);
  const snapshot = useJobsSnapshot();
  const actions = useGenerationActions();
  const composer = useComposerSettings();
  const models = useModels(readyPid);
  const promptHistory = usePromptHistory();
  const presets = usePresets();
  const runningJobId = snapshot.queue.running?.jobId ?? null;
  const commands = useWorkspaceCommands({ composer, models, actions, runningJobId, rememberPrompt: promptHistory.remember });
  useShortcuts({ onGenerate: () => void commands.generate(), onCancel: () => void commands.cancelRunning() });

  const finishedJobIds = useMemo(() => selectFinishedJobIds(snapshot), [snapshot]);
  const latestFinished = finishedJobIds[0] ?? null;
  const [chosenResult, setChosenResult] = useState<JobId | null>(null);
  // A newly finished clip takes the player; picking an earlier one holds until the next finishes.
  useEffect(() => setChosenResult(null), [latestFinished]);
  const queueActions = useMemo(() => ({ cancel: commands.cancelJob, finishNow: commands.finishJob, move: commands.moveJob }), [commands.cancelJob, commands.finishJob, commands.moveJob]);

  return (
    <div className="app">
      <header className="app-header">
        <h1 data-testid="app-title">On-device Sora Studio</h1>
        <EngineBanner state={engineState} />
      </header>
      <main className="workspace">
        <div className="column left">
          <Composer
            settings={composer.settings}
            update={composer.update}
            models={models}
            history={promptHistory.history}
            presets={presets}
            hasRunningJob={runningJobId !== null}
            submitting={commands.submitting}
            error={commands.error}
            onGenerate={() => void commands.generate()}
            onCancel={() => void commands.cancelRunning()}
            onFinishNow={() => void commands.finishRunning()}
          />
        </div>
        <div className="column center">
          <LiveView snapshot={snapshot} jobId={selectLiveJobId(snapshot)} />
          <ResultView snapshot={snapshot} finishedJobIds={finishedJobIds} jobId={chosenResult ?? latestFinished} onSelect={setChosenResult} onReuse={commands.reuse} />
        </div>
        <div className="column right">
          <QueuePanel queue={snapshot.queue} actions={queueActions} ended={selectEndedJobs(snapshot)} />
          <SystemPanel engineState={engineState} />
        </div>
        <div className="column wide">
          <ProjectsBar />
          <ComparePanel settings={composer.settings} model={selectedModelOf(composer.settings, models)} actions={actions} snapshot={snapshot} />
          <HistoryPanel onUseAgain={commands.reuseHistoryEntry} onOpen={(entry) => setChosenResult(entry.id)} />
        </div>
      </main>
    </div>
  );
}

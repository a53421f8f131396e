import { useCallback, useMemo, useState } from 'react';
import type { HistoryEntry } from '@shared/domain/history';
import type { JobId } from '@shared/domain/studio';
import { ComparePanel } from './features/compare/ComparePanel';
import { Composer } from './features/composer/Composer';
import { useComposerSettings } from './features/composer/useComposerSettings';
import { selectedModelOf, useModels } from './features/composer/useModels';
import { usePresets } from './features/composer/usePresets';
import { usePromptHistory } from './features/composer/usePromptHistory';
import { useFirstRunModelDefaults } from './features/composer/useFirstRunModelDefaults';
import { useGenerationActions, useGenerationFeed, useJobsSlice } from './features/generation/jobFeed';
import { selectLatestFinishedJobId, selectRunningJobId } from './features/generation/jobStore';
import { HistoryPanel } from './features/history/HistoryPanel';
import { LiveView } from './features/live/LiveView';
import { ProjectsBar } from './features/projects/ProjectsBar';
import { QueuePanel } from './features/queue/QueuePanel';
import { ResultView } from './features/result/ResultView';
import { EngineBanner } from './features/system/EngineBanner';
import { StorageBanner } from './features/system/StorageBanner';
import { SystemPanel } from './features/system/SystemPanel';
import { useEngineState } from './features/system/useEngineState';
import { useWorkspaceCommands } from './features/workspace/useWorkspaceCommands';
import { memoPart, Profiled } from './lib/renderStats';
import { useShortcuts } from './lib/useShortcuts';

/** The history table reads nothing the workspace renders for (typing, a job starting): it re-renders on its own data only. */
const WorkspaceHistory = memoPart('history', HistoryPanel);

export function App(): React.JSX.Element {
  const engineState = useEngineState();
  const readyPid = engineState.kind === 'ready' ? engineState.processId : undefined;
  useGenerationFeed(readyPid);
  const actions = useGenerationActions();
  const composer = useComposerSettings();
  const models = useModels(readyPid);
  useFirstRunModelDefaults(composer, models);
  const promptHistory = usePromptHistory();
  const presets = usePresets();
  // The workspace reads only which job runs and which finished last: a step event does not re-render it.
  const runningJobId = useJobsSlice(selectRunningJobId);
  const latestFinished = useJobsSlice(selectLatestFinishedJobId);
  const commands = useWorkspaceCommands({ composer, models, actions, runningJobId, rememberPrompt: promptHistory.remember });
  useShortcuts({ onGenerate: () => void commands.generate(), onCancel: () => void commands.cancelRunning() });

  // A newly finished clip takes the player; picking an earlier one holds until the next finishes.
  const [chosen, setChosen] = useState<{ jobId: JobId; whileLatest: JobId | null } | null>(null);
  const resultJobId = chosen && chosen.whileLatest === latestFinished ? chosen.jobId : latestFinished;
  const chooseResult = useCallback((jobId: JobId) => setChosen({ jobId, whileLatest: latestFinished }), [latestFinished]);
  // A run opened from the history plays in the result player, whenever it was made.
  const openRun = useCallback((entry: HistoryEntry) => chooseResult(entry.id), [chooseResult]);
  const queueActions = useMemo(() => ({ cancel: commands.cancelJob, finishNow: commands.finishJob, move: commands.moveJob }), [commands.cancelJob, commands.finishJob, commands.moveJob]);

  return (
    <div className="app">
      <header className="app-header">
        <h1 data-testid="app-title">On-device Sora Studio</h1>
        <Profiled id="header">
          <EngineBanner state={engineState} />
        </Profiled>
        <StorageBanner />
      </header>
      <main className="workspace">
        <div className="column left">
          <Profiled id="composer">
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
          </Profiled>
        </div>
        <div className="column center">
          <LiveView />
          <ResultView jobId={resultJobId} onSelect={chooseResult} onReuse={commands.reuse} />
        </div>
        <div className="column right">
          <QueuePanel actions={queueActions} />
          <Profiled id="system">
            <SystemPanel engineState={engineState} />
          </Profiled>
        </div>
        <div className="column wide">
          <ProjectsBar />
          <Profiled id="compare">
            <ComparePanel settings={composer.settings} model={selectedModelOf(composer.settings, models)} actions={actions} />
          </Profiled>
          <WorkspaceHistory onUseAgain={commands.reuseHistoryEntry} onOpen={openRun} />
        </div>
      </main>
    </div>
  );
}

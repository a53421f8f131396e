import { useCallback, useMemo, useState } from 'react';
import type { HistoryEntry } from '@shared/domain/history';
import type { JobId } from '@shared/domain/studio';
import { TabList, TabPanel, type TabSpec } from './components/TabList';
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
import { RecentRuns } from './features/history/RecentRuns';
import { LiveBadge } from './features/live/LiveBadge';
import { LiveView } from './features/live/LiveView';
import { CurrentProjectName } from './features/projects/CurrentProjectName';
import { ProjectList } from './features/projects/ProjectList';
import { ProjectsBar } from './features/projects/ProjectsBar';
import { QueuePanel } from './features/queue/QueuePanel';
import { ResultView } from './features/result/ResultView';
import { EngineBanner } from './features/system/EngineBanner';
import { StorageBanner } from './features/system/StorageBanner';
import { SystemPanel } from './features/system/SystemPanel';
import { useEngineState } from './features/system/useEngineState';
import { isMainView, MAIN_VIEW_KEY, MAIN_VIEW_LABELS, MAIN_VIEWS, type MainView } from './features/workspace/mainViews';
import { useStageView, type StageView } from './features/workspace/useStageView';
import { useWorkspaceCommands } from './features/workspace/useWorkspaceCommands';
import { memoPart, Profiled } from './lib/renderStats';
import { useShortcuts } from './lib/useShortcuts';
import { useStoredState } from './lib/useStoredState';

/** The history table reads nothing the workspace renders for (typing, a job starting): it re-renders on its own data only. */
const WorkspaceHistory = memoPart('history', HistoryPanel);

const VIEW_TABS: ReadonlyArray<TabSpec<MainView>> = MAIN_VIEWS.map((id) => ({
  id,
  name: MAIN_VIEW_LABELS[id],
  label:
    id === 'projects' ? (
      <>
        Projects <CurrentProjectName />
      </>
    ) : (
      MAIN_VIEW_LABELS[id]
    ),
}));
const STAGE_TABS: ReadonlyArray<TabSpec<StageView>> = [
  { id: 'live', label: 'Live preview', name: 'Live preview' },
  { id: 'result', label: 'Result', name: 'Result player' },
];

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
  const stage = useStageView(latestFinished, resultJobId !== null);
  const [view, setView] = useStoredState<MainView>(MAIN_VIEW_KEY, 'studio', isMainView);
  const { show: showStage } = stage;
  // A run opened from the recent list or the history plays in the result player, whenever it was made.
  const openRun = useCallback(
    (entry: HistoryEntry) => {
      chooseResult(entry.id);
      showStage('result');
      setView('studio');
    },
    [chooseResult, showStage, setView],
  );
  const showHistory = useCallback(() => setView('history'), [setView]);
  const showLive = (): void => {
    setView('studio');
    showStage('live');
  };
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
        <div className="column compose-column">
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
              referenceImage={commands.referenceImage}
              onReferenceImage={commands.setReferenceImage}
            />
          </Profiled>
        </div>
        <div className="main-area">
          <div className="view-bar">
            <TabList label="Workspace" idPrefix="view" tabs={VIEW_TABS} selected={view} onSelect={setView} />
            {/* The running job, one glance and one click away from any view. */}
            {runningJobId ? (
              <button type="button" className="live-chip" data-testid="live-chip" onClick={showLive}>
                <LiveBadge />
              </button>
            ) : null}
          </div>
          {/* Every view stays mounted: switching hides one, so a running job's view and each panel's state survive. */}
          <TabPanel idPrefix="view" id="studio" selected={view === 'studio'} className="view studio-view">
            <div className="stage">
              <TabList label="Current clip" idPrefix="stage" tabs={STAGE_TABS} selected={stage.view} onSelect={showStage} className="stage-tabs" />
              <TabPanel idPrefix="stage" id="live" selected={stage.view === 'live'}>
                <LiveView />
              </TabPanel>
              <TabPanel idPrefix="stage" id="result" selected={stage.view === 'result'}>
                <ResultView jobId={resultJobId} onSelect={chooseResult} onReuse={commands.reuse} onExtend={commands.extend} />
              </TabPanel>
            </div>
            <div className="column studio-side">
              <RecentRuns playingId={resultJobId} onOpen={openRun} onShowAll={showHistory} />
              <QueuePanel actions={queueActions} />
            </div>
          </TabPanel>
          <TabPanel idPrefix="view" id="history" selected={view === 'history'} className="view history-view">
            <WorkspaceHistory onUseAgain={commands.reuseHistoryEntry} onExtend={commands.extend} onOpen={openRun} />
          </TabPanel>
          <TabPanel idPrefix="view" id="compare" selected={view === 'compare'} className="view">
            <Profiled id="compare">
              <ComparePanel settings={composer.settings} model={selectedModelOf(composer.settings, models)} actions={actions} />
            </Profiled>
          </TabPanel>
          <TabPanel idPrefix="view" id="projects" selected={view === 'projects'} className="view">
            <ProjectsBar />
            <ProjectList onShowHistory={showHistory} />
          </TabPanel>
          <TabPanel idPrefix="view" id="system" selected={view === 'system'} className="view">
            <Profiled id="system">
              <SystemPanel engineState={engineState} />
            </Profiled>
          </TabPanel>
        </div>
      </main>
    </div>
  );
}

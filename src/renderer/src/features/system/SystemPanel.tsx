import { useEffect, useState } from 'react';
import type { EngineState, SystemInfo } from '@shared/ipc/contract';
import { describeError, studio } from '../../ipc/studio';
import { formatBytes } from '../../lib/format';
import { OutputsFolderSetting } from './OutputsFolderSetting';

/** Shows what the engine runs on; refetched whenever the engine (re)starts. */
export function SystemPanel({ engineState }: { engineState: EngineState }): React.JSX.Element {
  const [info, setInfo] = useState<SystemInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  const readyPid = engineState.kind === 'ready' ? engineState.processId : undefined;

  useEffect(() => {
    if (readyPid === undefined) {
      return;
    }
    let live = true;
    studio.invoke('system.info', {}).then(
      (next) => {
        if (live) {
          setInfo(next);
          setError(undefined);
        }
      },
      (reason: unknown) => live && setError(describeError(reason).message),
    );
    return () => {
      live = false;
    };
  }, [readyPid]);

  return (
    <section className="panel" aria-labelledby="system-heading" data-testid="system-panel">
      <h2 id="system-heading">System</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {info ? (
        <dl className="facts">
          <dt>Platform</dt>
          <dd data-testid="sys-platform">
            {info.platform} / {info.arch}
          </dd>
          <dt>onnxruntime</dt>
          <dd data-testid="sys-ort">{info.onnxruntimeVersion}</dd>
          <dt>Execution providers</dt>
          <dd data-testid="sys-providers">{info.executionProviders.join(', ')}</dd>
          <dt>Memory</dt>
          <dd data-testid="sys-memory">
            {formatBytes(info.freeMemoryBytes)} free of {formatBytes(info.totalMemoryBytes)}
          </dd>
          <dt>Engine process</dt>
          <dd data-testid="sys-engine-pid">
            pid {info.engineProcessId}, {formatBytes(info.engineRssBytes)} resident
          </dd>
          <dt>Runtime check</dt>
          <dd data-testid="sys-runtime-check" data-ok={info.runtimeCheck.ok}>
            {info.runtimeCheck.ok ? 'passed' : 'FAILED'}: {info.runtimeCheck.model} in {info.runtimeCheck.durationMs.toFixed(1)} ms (max error{' '}
            {info.runtimeCheck.maxAbsError.toExponential(1)})
          </dd>
        </dl>
      ) : (
        <p>Waiting for the engine…</p>
      )}
      <OutputsFolderSetting />
    </section>
  );
}

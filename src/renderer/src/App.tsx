import { EngineBanner } from './features/system/EngineBanner';
import { SystemPanel } from './features/system/SystemPanel';
import { useEngineState } from './features/system/useEngineState';

export function App(): React.JSX.Element {
  const engineState = useEngineState();
  return (
    <div className="app">
      <header className="app-header">
        <h1 data-testid="app-title">On-device Sora Studio</h1>
        <EngineBanner state={engineState} />
      </header>
      <main className="app-main">
        <SystemPanel engineState={engineState} />
      </main>
    </div>
  );
}

import { StrictMode } from 'react';
// The profiling build of react-dom/client: same API, and <Profiler> reports commits in production builds too.
// lib/renderStats.tsx renders Profilers only when a test asks; without them React times no components.
import { createRoot } from 'react-dom/profiling';
import { App } from './App';
import { ProfiledWorkspace } from './lib/renderStats';
import './styles.css';

const root = document.getElementById('root');
if (!root) {
  throw new Error('The page has no #root element.');
}
createRoot(root).render(
  <StrictMode>
    <ProfiledWorkspace>
      <App />
    </ProfiledWorkspace>
  </StrictMode>,
);

// react-dom/profiling is react-dom/client built with the Profiler's timers on; @types/react-dom does not name it.
declare module 'react-dom/profiling' {
  export { createRoot, hydrateRoot } from 'react-dom/client';
}

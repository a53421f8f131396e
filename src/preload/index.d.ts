import type { StudioApi } from '@shared/ipc/contract';

declare global {
  interface Window {
    /** Present in the Electron app (from the preload); absent in browser mode. */
    studio?: StudioApi;
  }
}
export {};

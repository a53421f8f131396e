import type { Page } from '@playwright/test';

/** The workspace's main views, by the names of their tabs. */
export type ViewName = 'Studio' | 'History' | 'Compare' | 'Projects' | 'System';

/** Selects a main view by its tab, as a user would. */
export async function showView(page: Page, name: ViewName): Promise<void> {
  await page.getByRole('tablist', { name: 'Workspace' }).getByRole('tab', { name, exact: true }).click();
}

/** Selects what the stage shows: the live preview or the result player. */
export async function showStage(page: Page, name: 'Live preview' | 'Result player'): Promise<void> {
  await page.getByRole('tablist', { name: 'Current clip' }).getByRole('tab', { name, exact: true }).click();
}

/** Unfolds the composer's rarely changed settings (model, clip size, TDTM, memory budget, presets) if folded. */
export async function openComposerSettings(page: Page): Promise<void> {
  const fold = page.getByTestId('composer-settings');
  if ((await fold.getAttribute('open')) === null) {
    await page.getByTestId('composer-settings-toggle').click();
  }
}

export type PlaybackKeyAction = 'toggle' | 'previous' | 'next';

/**
 * The players' keyboard: Space plays/pauses, ←/→ step a frame. Keys typed into the given controls are theirs.
 * Returns the action and prevents the browser's default for it, or null when the key is not a playback key.
 */
export function playbackKeyAction(event: React.KeyboardEvent, ignoredTags: readonly string[]): PlaybackKeyAction | null {
  if (ignoredTags.includes((event.target as HTMLElement).tagName)) {
    return null;
  }
  const action = event.key === ' ' ? 'toggle' : event.key === 'ArrowLeft' ? 'previous' : event.key === 'ArrowRight' ? 'next' : null;
  if (action) {
    event.preventDefault();
  }
  return action;
}

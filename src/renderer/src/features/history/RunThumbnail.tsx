import { useEffect, useState } from 'react';
import { studio } from '../../ipc/studio';

/** A row must stay in view this long before its thumbnail is fetched: a fast scroll fetches nothing it passes by. */
const SETTLE_MS = 150;

/** URLs (the studio's media route: the files stay on disk) of thumbnails and hover clips already asked for. */
const thumbnails = new Map<string, string | null>();
const previews = new Map<string, string | null>();

async function cached(cache: Map<string, string | null>, id: string, fetch: () => Promise<string | null>): Promise<string | null> {
  if (!cache.has(id)) {
    cache.set(id, await fetch());
    if (cache.size > 600) {
      cache.delete(cache.keys().next().value as string);
    }
  }
  return cache.get(id) ?? null;
}

/** A run's thumbnail; hovering (or focusing) it plays the clip (its GIF) in place. */
export function RunThumbnail({ id, hasMedia, prompt }: { id: string; hasMedia: boolean; prompt: string }): React.JSX.Element {
  const [still, setStill] = useState<string | null>(() => thumbnails.get(id) ?? null);
  const [fetched, setFetched] = useState(() => thumbnails.has(id));
  const [moving, setMoving] = useState<string | null>(null);
  const [hovered, setHovered] = useState(false);

  useEffect(() => {
    if (!hasMedia || thumbnails.has(id)) {
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void cached(thumbnails, id, async () => (await studio.invoke('runs.thumbnail', { id })).url).then(
        (url) => {
          if (live) {
            setStill(url);
            setFetched(true);
          }
        },
        // Not shown; a later mount asks again.
        () => live && setFetched(true),
      );
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, hasMedia]);

  useEffect(() => {
    if (!hovered || !hasMedia) {
      return;
    }
    let live = true;
    void cached(previews, id, async () => (await studio.invoke('runs.preview', { id })).url).then((url) => live && setMoving(url), () => undefined);
    return () => {
      live = false;
    };
  }, [id, hasMedia, hovered]);

  if (!hasMedia || !still) {
    return <span className="history-thumbnail empty" data-testid="history-thumbnail" data-state={hasMedia && !fetched ? 'loading' : 'none'} aria-hidden="true" />;
  }
  const playing = hovered && moving !== null;
  return (
    <img
      className="history-thumbnail pixelated"
      data-testid="history-thumbnail"
      data-state={playing ? 'playing' : 'still'}
      src={playing ? moving : still}
      alt={`${playing ? 'Playing' : 'Thumbnail of'} “${prompt}”`}
      tabIndex={0}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setHovered(true)}
      onBlur={() => setHovered(false)}
    />
  );
}

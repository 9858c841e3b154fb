/**
 * Content-script entry, injected into the call tab with `chrome.scripting.executeScript`
 * (possibly more than once). It tracks the tiles, reports every changed snapshot to the
 * background (`bg/tiles`) and draws the emotion overlays it is sent (`content/live`).
 * Nothing here may throw into the call page: every callback is guarded and failures are
 * logged once with a `[CallMood]` prefix; when the extension is reloaded or removed
 * ("Extension context invalidated") everything is released quietly.
 */
import { listen, send } from '../shared/messages.ts';
import type { Handlers, Sender } from '../shared/messages.ts';
import { DEFAULT_OPTIONS } from '../shared/types.ts';
import type { AnalysisOptions, ParticipantLive, TileReport, TilesSnapshot } from '../shared/types.ts';
import { createTileFrameReader } from './frame-reader.ts';
import { createOverlayLayer } from './overlay.ts';
import type { OverlayLayer } from './overlay.ts';
import { logOnce, startTileTracker } from './tile-tracker.ts';
import { isExcludedId } from '../shared/excluded-ids.ts';

/** What an injection leaves on the page's (isolated-world) window to find itself again. */
interface ContentInstance {
  /** False once this instance's extension context is gone (extension reloaded or removed). */
  alive(): boolean;
  /** Stops tracking, removes the overlays and the message listener. */
  teardown(): void;
}

declare global {
  interface Window {
    __callmoodContent?: ContentInstance;
  }
}

/** True while this script's extension context is valid (`runtime.id` disappears when it is not). */
function contextAlive(): boolean {
  try {
    return Boolean(chrome.runtime?.id);
  } catch {
    return false;
  }
}

function isContextInvalidated(error: unknown): boolean {
  return !contextAlive() || /Extension context invalidated/i.test(error instanceof Error ? error.message : String(error));
}

function install(): ContentInstance {
  let options: AnalysisOptions = { ...DEFAULT_OPTIONS };
  let run: AbortController | null = null;
  let tiles: TileReport[] = [];
  let participants: ParticipantLive[] = [];
  /** Participant ids the user excluded: their tiles get no overlay. */
  let excluded: ReadonlySet<string> = new Set();
  let overlay: OverlayLayer | null = null;
  let unlisten: (() => void) | null = null;
  const frames = createTileFrameReader(document);

  /** Redraws the overlays from the latest tiles and results (self tile only in only-me mode; none on an excluded tile). */
  const draw = (): void => {
    const shown = options.onlyMe || excluded.size ? tiles.filter((t) => (!options.onlyMe || t.isSelf) && !isExcludedId(t.id, excluded)) : tiles;
    overlay?.update(shown, excluded.size ? participants.filter((p) => !isExcludedId(p.id, excluded)) : participants);
  };

  /** Creates or destroys the overlay layer to match `options.overlays` (only while tracking). */
  const syncOverlay = (): void => {
    if (options.overlays && run && !overlay) overlay = createOverlayLayer(document);
    if ((!options.overlays || !run) && overlay) {
      overlay.destroy();
      overlay = null;
    }
    draw();
  };

  const stop = (): void => {
    run?.abort();
    run = null;
    tiles = [];
    participants = [];
    syncOverlay();
  };

  const teardown = (): void => {
    try {
      stop();
      unlisten?.();
    } catch (error) {
      logOnce('teardown', error);
    }
    unlisten = null;
  };

  /** Handles a failure of a callback; a dead extension context ends this instance quietly. */
  const fail = (context: string, error: unknown): void => {
    if (isContextInvalidated(error)) teardown();
    else logOnce(context, error);
  };

  const report = (snapshot: TilesSnapshot): void => {
    tiles = snapshot.tiles;
    try {
      draw();
    } catch (error) {
      logOnce('overlay', error);
    }
    if (!contextAlive()) return teardown();
    send('bg/tiles', snapshot).catch((error: unknown) => fail('sending tiles', error));
  };

  const start = (next: AnalysisOptions): void => {
    stop();
    options = { ...next };
    const controller = new AbortController();
    run = controller;
    syncOverlay();
    startTileTracker({
      signal: controller.signal,
      onSnapshot: report,
      onError: (error) => fail('tile tracker', error),
    });
  };

  const handlers = {
    'content/start': async ({ options: next }) => {
      try {
        start(next);
        return { ok: true };
      } catch (error) {
        fail('start', error);
        stop();
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
    'content/stop': async () => {
      try {
        stop();
      } catch (error) {
        fail('stop', error);
      }
    },
    'content/set-options': async (next) => {
      try {
        options = { ...next };
        syncOverlay();
      } catch (error) {
        fail('set options', error);
      }
    },
    'content/live': async ({ participants: latest, excluded: ids }) => {
      try {
        participants = latest;
        excluded = new Set(ids ?? []);
        draw();
      } catch (error) {
        fail('overlay', error);
      }
    },
    // Firefox only (no tab capture there): the analysed tiles' pixels, while analysis runs.
    'content/read-frames': async ({ ids, maxSide }) => ({ frames: run ? frames.read(ids, maxSide) : [] }),
  } satisfies Handlers<'content'>;

  /** Only this extension's own contexts (the background) may drive the content script. */
  const accept = (_name: string, sender: Sender): string | null =>
    contextAlive() && sender.id === chrome.runtime.id ? null : 'not from this extension';

  unlisten = listen('content', handlers, accept);
  return { alive: () => unlisten !== null && contextAlive(), teardown };
}

try {
  const previous = window.__callmoodContent;
  // A second injection into a live page does nothing; one after an extension reload replaces
  // the orphaned instance (whose context is invalidated) with a working one.
  if (!previous?.alive()) {
    previous?.teardown();
    window.__callmoodContent = install();
  }
} catch (error) {
  logOnce('startup', error);
}

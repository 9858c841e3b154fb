/**
 * Pushes the popup's view to the open view ports: after every change while at least one port
 * is open, at once to a port that opens, and nothing (not even a view built) while none is
 * open. One push at a time; changes during a push make one more push with the view as it is
 * then, so a burst of changes costs at most two views and the last one sent is current. Pushes
 * are at least `minIntervalMs` apart, so however often live updates and tile snapshots change
 * the view, an open popup gets at most 4 views a second to render: it shares the extension's
 * renderer process with the offscreen document's inference.
 */

/** Least time between two pushed views, ms (at most 4 views a second; the popup calls figures stale after 2.5 s). */
export const MIN_VIEW_INTERVAL_MS = 250;
import type { AnalysisView } from '../shared/types.ts';
import type { ViewPortMessage } from '../shared/view-port.ts';

/** The part of a view port the background uses: it only posts on it. */
export interface ViewPortSink {
  postMessage(message: ViewPortMessage): void;
}

/** The open view ports and the pushes to them (see the module comment). */
export class ViewPusher {
  private readonly ports = new Set<ViewPortSink>();
  /** True while a push runs (`pushed` settles when it ends); `dirty` asks it to build and send one more view. */
  private pushing = false;
  private pushed: Promise<void> = Promise.resolve();
  private dirty = false;
  /** When the last view was sent, ms (`Date.now()`). */
  private lastSent = -Infinity;

  /**
   * @param build builds the current view; a rejection is logged and the push goes on.
   * @param minIntervalMs least time between two pushes (0: none).
   */
  constructor(
    private readonly build: () => Promise<AnalysisView>,
    private readonly minIntervalMs: number = MIN_VIEW_INTERVAL_MS,
  ) {}

  /** Number of open view ports. */
  get size(): number {
    return this.ports.size;
  }

  /** Adds an open port and sends it the current view. Returns the function that removes it. */
  add(port: ViewPortSink): () => void {
    this.ports.add(port);
    this.changed();
    return () => this.ports.delete(port);
  }

  /** Resolves when no push is in progress. */
  async settled(): Promise<void> {
    while (this.pushing) await this.pushed;
  }

  /** The view changed: push it to the open ports (nothing happens while none is open). */
  changed(): void {
    if (this.ports.size === 0) return;
    this.dirty = true;
    if (this.pushing) return;
    this.pushing = true;
    this.pushed = this.push();
  }

  private async push(): Promise<void> {
    try {
      while (this.dirty && this.ports.size > 0) {
        const wait = this.lastSent + this.minIntervalMs - Date.now();
        if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
        if (this.ports.size === 0) break;
        this.dirty = false;
        let view: AnalysisView;
        try {
          view = await this.build();
        } catch (err) {
          console.error('[CallMood] could not build the view', err);
          continue;
        }
        const message: ViewPortMessage = { callmood: 1, name: 'popup/view', payload: view };
        for (const port of this.ports) {
          try {
            port.postMessage(message);
          } catch {
            this.ports.delete(port); // closed before its disconnect event reached us
          }
        }
        this.lastSent = Date.now();
      }
    } finally {
      this.pushing = false;
    }
  }
}

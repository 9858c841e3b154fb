/**
 * Polls the background for the live analysis view, keeping the last answer while the
 * service worker restarts, and applies option changes without the next poll undoing them.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../shared/messages.ts';
import type { AnalysisOptions, AnalysisView } from '../shared/types.ts';

/** Interval between two `bg/get-state` requests, ms (the bars must update at least twice a second). */
export const POLL_INTERVAL_MS = 250;
/** A `bg/get-state` request unanswered after this many ms counts as failed, ms. */
export const POLL_TIMEOUT_MS = 2000;

/** `connecting`: no answer yet; `connected`: the last poll answered; `reconnecting`: the last poll failed. */
export type Connection = 'connecting' | 'connected' | 'reconnecting';

/** What `useAnalysisView` returns. */
export interface PolledView {
  /** The last view the background answered, or null before the first answer. */
  view: AnalysisView | null;
  connection: Connection;
  /** Why the last poll failed, or null when it answered. */
  pollError: string | null;
  /**
   * Sends `bg/set-options` with `patch`; shows the change at once and then the options the
   * background answers. @throws Error when the background refuses or cannot be reached.
   */
  setOptions(patch: Partial<AnalysisOptions>): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

function isView(value: unknown): value is AnalysisView {
  return (
    typeof value === 'object' &&
    value !== null &&
    'state' in value &&
    'options' in value &&
    Array.isArray((value as { participants?: unknown }).participants)
  );
}

/** Polls `bg/get-state` every `intervalMs` ms (one request in flight at a time) while the component is mounted. */
export function useAnalysisView(intervalMs: number = POLL_INTERVAL_MS): PolledView {
  const [view, setView] = useState<AnalysisView | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [pollError, setPollError] = useState<string | null>(null);
  // Bumped when an option change starts and when it ends: a poll that began under another
  // epoch may carry the options from before the change, so its options are not applied.
  const optionsEpoch = useRef(0);

  useEffect(() => {
    let stopped = false;
    let inFlight = false;
    const poll = async (): Promise<void> => {
      if (inFlight || stopped) return;
      inFlight = true;
      const epoch = optionsEpoch.current;
      try {
        const next: unknown = await withTimeout(send('bg/get-state', {}), POLL_TIMEOUT_MS);
        if (!isView(next)) throw new Error('the background sent no analysis view');
        if (stopped) return;
        setView((prev) => (prev && epoch !== optionsEpoch.current ? { ...next, options: prev.options } : next));
        setConnection('connected');
        setPollError(null);
      } catch (err) {
        if (stopped) return;
        setConnection('reconnecting');
        setPollError(err instanceof Error ? err.message : String(err));
      } finally {
        inFlight = false;
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [intervalMs]);

  const setOptions = useCallback(async (patch: Partial<AnalysisOptions>): Promise<void> => {
    optionsEpoch.current++;
    setView((prev) => (prev ? { ...prev, options: { ...prev.options, ...patch } } : prev));
    try {
      const options = await send('bg/set-options', patch);
      if (options) setView((prev) => (prev ? { ...prev, options } : prev));
    } finally {
      optionsEpoch.current++;
    }
  }, []);

  return { view, connection, pollError, setOptions };
}

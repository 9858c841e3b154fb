/**
 * The popup's live analysis view: pushed by the background on a view port (`watchView`),
 * which reopens the port after a service-worker restart and keeps the last view meanwhile. A
 * view equal to the last one is dropped, so it costs the popup no render.
 * Option changes show at once: the options asked for lie over the pushed views until the
 * background answers the request, so a view pushed before it applied them does not undo them.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { send } from '../shared/messages.ts';
import { watchView, type ViewConnection } from '../shared/view-port.ts';
import type { AnalysisOptions, AnalysisView } from '../shared/types.ts';

/** How the popup's link to the background stands (see `ViewConnection`). */
export type Connection = ViewConnection;

/** What `useAnalysisView` returns. */
export interface LiveView {
  /** The last view the background pushed, with the options asked for and not answered yet; null before the first view. */
  view: AnalysisView | null;
  connection: Connection;
  /** Why the link is `reconnecting`, or null. */
  connectionError: string | null;
  /**
   * Sends `bg/set-options` with `patch`; shows the change at once and then the options the
   * background answers. @throws Error when the background refuses or cannot be reached.
   */
  setOptions: (patch: Partial<AnalysisOptions>) => Promise<void>;
}

/** Watches the background's view while the component is mounted. */
export function useAnalysisView(): LiveView {
  const [pushed, setPushed] = useState<AnalysisView | null>(null);
  const [asked, setAsked] = useState<Partial<AnalysisOptions>>({});
  const [connection, setConnection] = useState<Connection>('connecting');
  const [connectionError, setConnectionError] = useState<string | null>(null);
  /** Option requests not answered yet; `asked` is cleared when the last one settles. */
  const inFlight = useRef(0);
  /** The last view pushed, as JSON: a view equal to it (a tile heartbeat) renders nothing. */
  const lastPushed = useRef('');

  useEffect(
    () =>
      watchView({
        view: (next) => {
          const json = JSON.stringify(next);
          if (json === lastPushed.current) return;
          lastPushed.current = json;
          setPushed(next);
        },
        status: (next, error) => {
          setConnection(next);
          setConnectionError(error);
        },
      }),
    [],
  );

  const setOptions = useCallback(async (patch: Partial<AnalysisOptions>): Promise<void> => {
    inFlight.current++;
    setAsked((prev) => ({ ...prev, ...patch }));
    try {
      const options = await send('bg/set-options', patch);
      if (options) setPushed((prev) => (prev ? { ...prev, options } : prev));
    } finally {
      if (--inFlight.current === 0) setAsked({});
    }
  }, []);

  const view = useMemo(
    () => (pushed && Object.keys(asked).length ? { ...pushed, options: { ...pushed.options, ...asked } } : pushed),
    [pushed, asked],
  );

  return { view, connection, connectionError, setOptions };
}

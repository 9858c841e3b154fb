/**
 * The popup's sparkline history (history.ts) kept current: seeded from the timeline store
 * when a meeting is being analysed, added to from each live view, and a clock that moves the
 * sparklines on once a second, so they are redrawn at most once a second whatever the rate of
 * live views.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { withTimelineStore } from '../shared/timeline-store.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';
import type { AnalysisView } from '../shared/types.ts';
import { HISTORY_SECONDS, SparkHistory } from './history.ts';

/** Reads the seconds of meeting `meetingId` and its start (ms since the epoch); null when it is not stored. */
export type SecondsReader = (meetingId: string) => Promise<{ startedAt: number; records: SecondRecord[] } | null>;

/**
 * Reads a meeting's last HISTORY_SECONDS from the timeline store (only the chunks that hold
 * them: the popup opens often, and shares its renderer with the inference).
 */
export const readStoredSeconds: SecondsReader = (meetingId) =>
  withTimelineStore(async (store) => {
    const { meeting } = await store.getMeeting(meetingId);
    if (!meeting) return null;
    const from = Math.floor((Date.now() - meeting.startedAt) / 1000) - HISTORY_SECONDS + 1;
    return { startedAt: meeting.startedAt, records: (await store.listSeconds(meetingId, Math.max(0, from))).records };
  });

/** What `useSparkHistory` returns. */
export interface SparkClock {
  history: SparkHistory;
  /** ms since the epoch: the sparklines show the seconds up to this one. Changes once a second while analysing, and once when the stored seconds arrive. */
  now: number;
}

/**
 * The history of the meeting `view` analyses. `stale`: the live view stopped updating (its
 * participants are not added). `read` replaces the store (tests).
 */
export function useSparkHistory(view: AnalysisView | null, stale: boolean, read: SecondsReader = readStoredSeconds): SparkClock {
  const meetingId = view?.state === 'running' ? view.meetingId : null;
  const ref = useRef<{ meetingId: string | null; history: SparkHistory }>({ meetingId: null, history: new SparkHistory() });
  if (ref.current.meetingId !== meetingId) ref.current = { meetingId, history: new SparkHistory() };
  const history = ref.current.history;
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000) * 1000);

  useEffect(() => {
    if (meetingId === null) return;
    let cancelled = false;
    read(meetingId).then(
      (stored) => {
        if (cancelled || !stored) return;
        const at = Date.now();
        history.seed(stored.records, stored.startedAt, at);
        setNow(at); // redraw with the seeded seconds at once
      },
      (err: unknown) => console.warn('[CallMood] the sparklines start empty: the timeline cannot be read', err),
    );
    return () => {
      cancelled = true;
    };
  }, [meetingId, history, read]);

  useEffect(() => {
    if (meetingId === null) return;
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000) * 1000), 1000);
    return () => clearInterval(timer);
  }, [meetingId]);

  if (view && meetingId !== null && view.liveAt !== null && !stale) history.append(view.participants, view.liveAt);
  return { history, now };
}

/**
 * The popup's participant list, at any size: one line per person (compact, compact-row.tsx)
 * or the 7 bars per person (detailed, participant-row.tsx). The list is compact by default
 * from COMPACT_FROM participants on; a switch chooses compact or detailed for everyone, and
 * each row's toggle shows that person the other way. Each row offers "Exclude…"
 * (exclude-participant.tsx) and "Rename" (rename-participant.tsx). Every render of a non-empty list is measured as the performance
 * entry `callmood:participant-list` (render to committed DOM and sparkline data).
 */
import type { ComponentType } from 'preact';
import { memo } from 'preact/compat';
import { useCallback, useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import type { ParticipantLive } from '../shared/types.ts';
import { CompactRow, sameInRow } from './compact-row.tsx';
import { ExcludeConfirm, type ExcludeSender } from './exclude-participant.tsx';
import { RenameForm, type RenameSender } from './rename-participant.tsx';
import type { SparkData } from './history.ts';
import { ParticipantRow } from './participant-row.tsx';
import type { SparklineProps } from './sparkline.tsx';
import type { SparkClock } from './use-spark-history.ts';

/**
 * From this many participants on the list is compact by default: 3 detailed rows (about
 * 130 px each) fit under the controls of a 600 px popup; a 4th would push the list into
 * scrolling, where one line per person shows everyone at a glance.
 */
export const COMPACT_FROM = 4;

/** How rows are shown: by the number of participants (`auto`), or as chosen for all. */
export type RowView = 'auto' | 'compact' | 'detailed';

const VIEW_KEY = 'callmood.rowView';
/** Performance entry name of a list render (see the module comment). */
export const RENDER_MEASURE = 'callmood:participant-list';

/** Whether the list of `count` participants is compact under `view`. */
export function isCompact(view: RowView, count: number): boolean {
  return view === 'compact' || (view === 'auto' && count >= COMPACT_FROM);
}

function loadView(): RowView {
  try {
    const v = localStorage.getItem(VIEW_KEY);
    return v === 'compact' || v === 'detailed' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

/** Props of `ParticipantList`. */
export interface ParticipantListProps {
  participants: ParticipantLive[];
  /** True when the live view stopped updating. */
  stale: boolean;
  /** The sparklines' history and clock (use-spark-history.ts). */
  spark: SparkClock;
  /** The sparkline component (`Sparkline`; tests pass a stand-in). */
  Chart: ComponentType<SparklineProps>;
  /** Sends an exclusion (default: `bg/exclude-participant`). */
  sender?: ExcludeSender;
  /** Sends a rename (default: `bg/rename-participant`). */
  renameSender?: RenameSender;
}

/**
 * The list (`data-testid="participants"`, `data-view` = `compact` or `detailed`) and its view
 * switch (`data-testid="row-view"`, a select of auto / compact / detailed). Per row: the
 * toggle `row-toggle` (`aria-expanded` when shown detailed), `rename` (not for a person of a
 * shared video, who is named after it) and `exclude`.
 */
export function ParticipantList({ participants, stale, spark, Chart, sender, renameSender }: ParticipantListProps) {
  const started = performance.now();
  const [view, setView] = useState<RowView>(loadView);
  const [flipped, setFlipped] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [excluded, setExcluded] = useState<ReadonlySet<string>>(new Set());
  const shown = excluded.size ? participants.filter((p) => !excluded.has(p.id)) : participants;
  const compact = isCompact(view, shown.length);
  // One series per participant per second: the same array until the clock moves, so each chart is given new data at most once a second.
  const series = useMemo(() => new Map<string, SparkData>(), [spark.history, spark.now]);
  const sparkOf = (id: string): SparkData => {
    let data = series.get(id);
    if (!data) series.set(id, (data = spark.history.series(id, spark.now)));
    return data;
  };

  // Hidden at once on the background's word; forgotten once its views leave them out too.
  useEffect(() => {
    const still = [...excluded].filter((id) => participants.some((p) => p.id === id));
    if (still.length < excluded.size) setExcluded(new Set(still));
  }, [participants, excluded]);

  useLayoutEffect(() => {
    if (shown.length === 0) return;
    performance.measure(RENDER_MEASURE, { start: started });
    if (performance.getEntriesByName(RENDER_MEASURE).length > 300) performance.clearMeasures(RENDER_MEASURE);
  });

  const choose = (next: RowView): void => {
    setView(next);
    setFlipped(new Set());
    try {
      localStorage.setItem(VIEW_KEY, next);
    } catch {
      /* not kept: the next popup starts with auto */
    }
  };
  const flip = useCallback(
    (id: string): void =>
      setFlipped((prev) => {
        const next = new Set(prev);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  const toggleConfirm = useCallback((id: string | null): void => setConfirming((prev) => (prev === id ? null : id)), []);
  const toggleRename = useCallback((id: string | null): void => setRenaming((prev) => (prev === id ? null : id)), []);
  const onExcluded = useCallback(
    (id: string): void => {
      setConfirming(null);
      setExcluded((prev) => new Set(prev).add(id));
      spark.history.forget(id);
    },
    [spark.history],
  );

  return (
    <>
      <label class="switch row-view">
        Rows
        <select data-testid="row-view" value={view} onChange={(e) => choose(e.currentTarget.value as RowView)}>
          <option value="auto">auto</option>
          <option value="compact">compact</option>
          <option value="detailed">detailed</option>
        </select>
      </label>
      <ul class={`participants${compact ? ' participants--compact' : ''}`} data-testid="participants" data-view={compact ? 'compact' : 'detailed'}>
        {shown.map((p) => {
          const detailed = compact === flipped.has(p.id);
          return (
            <Item
              key={p.id}
              participant={p}
              stale={stale}
              detailed={detailed}
              spark={detailed ? NO_SPARK : sparkOf(p.id)}
              Chart={Chart}
              confirming={confirming === p.id}
              renaming={renaming === p.id}
              onFlip={flip}
              onConfirm={toggleConfirm}
              onRename={toggleRename}
              onExcluded={onExcluded}
              sender={sender}
              renameSender={renameSender}
            />
          );
        })}
      </ul>
    </>
  );
}

/** What a detailed row is given for a sparkline it does not draw. */
const NO_SPARK: SparkData = [[], []];

interface ItemProps {
  participant: ParticipantLive;
  stale: boolean;
  detailed: boolean;
  spark: SparkData;
  Chart: ComponentType<SparklineProps>;
  confirming: boolean;
  /** True while the row's rename form is open. */
  renaming: boolean;
  onFlip: (id: string) => void;
  /** Opens (id) or closes (null) a row's rename form; the same id again closes it. */
  onRename: (id: string | null) => void;
  /** Opens (id) or closes (null) a row's exclude confirmation; the same id again closes it. */
  onConfirm: (id: string | null) => void;
  onExcluded: (id: string) => void;
  sender: ExcludeSender | undefined;
  renameSender: RenameSender | undefined;
}

/** One row with its buttons and confirmation; re-rendered only when something it shows changed (`sameInRow`). */
const Item = memo(
  function Item({ participant: p, stale, detailed, spark, Chart, confirming, renaming, onFlip, onConfirm, onRename, onExcluded, sender, renameSender }: ItemProps) {
    const name = p.name || 'unnamed';
    const actions = (
      <span class="row-actions">
        <button type="button" class="icon" data-testid="row-toggle" aria-expanded={detailed} title={detailed ? 'Show on one line' : 'Show the 7 bars'} onClick={() => onFlip(p.id)}>
          {detailed ? '▾' : '▸'}
        </button>
        {!p.id.includes('#') && (
          <button type="button" class="icon" data-testid="rename" title={`Rename ${name} for this meeting`} aria-label={`Rename ${name}`} onClick={() => onRename(p.id)}>
            ✎
          </button>
        )}
        <button type="button" class="icon" data-testid="exclude" title={`Exclude ${name} from the analysis`} aria-label={`Exclude ${name}`} onClick={() => onConfirm(p.id)}>
          ⊘
        </button>
      </span>
    );
    const confirm = (
      <>
        {renaming && <RenameForm participantId={p.id} name={name} onClose={() => onRename(null)} sender={renameSender} />}
        {confirming && <ExcludeConfirm participantId={p.id} name={name} onCancel={() => onConfirm(null)} onExcluded={onExcluded} sender={sender} />}
      </>
    );
    return detailed ? (
      <ParticipantRow participant={p} stale={stale} actions={actions}>
        {confirm}
      </ParticipantRow>
    ) : (
      <CompactRow participant={p} stale={stale} spark={spark} Chart={Chart} actions={actions}>
        {confirm}
      </CompactRow>
    );
  },
  (a, b) =>
    a.stale === b.stale &&
    a.detailed === b.detailed &&
    a.spark === b.spark &&
    a.Chart === b.Chart &&
    a.confirming === b.confirming &&
    a.renaming === b.renaming &&
    a.onRename === b.onRename &&
    a.renameSender === b.renameSender &&
    a.onFlip === b.onFlip &&
    a.onConfirm === b.onConfirm &&
    a.onExcluded === b.onExcluded &&
    a.sender === b.sender &&
    sameInRow(a.participant, b.participant),
);

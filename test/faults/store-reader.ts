/**
 * Reads a meeting's seconds with the extension's own timeline-store code, in an extension page
 * (the database belongs to the extension's origin). Bundled at test time by `storeReaderScript`
 * (fault-kit.ts) and evaluated in the popup through CDP, so the suite decodes the packed layout
 * exactly as the extension does, without a copy of the format.
 */
import { withTimelineStore } from '../../src/shared/timeline-store.ts';

async function readSeconds(meetingId: string): Promise<{ participantId: string; second: number; probabilities: Record<string, number> | null; samples: number; gap: string | null }[]> {
  const { records } = await withTimelineStore((store) => store.listSeconds(meetingId));
  return records.map((r) => ({ participantId: r.participantId, second: r.second, probabilities: r.probabilities, samples: r.samples, gap: r.gap }));
}

(globalThis as { __callmoodReadSeconds?: typeof readSeconds }).__callmoodReadSeconds = readSeconds;

/**
 * Writes a generated meeting through the extension's own timeline store, in an extension page
 * (the database belongs to the extension's origin). Bundled by `meetingWriterScript` and
 * evaluated with `page.evaluate`, so a benchmark or test measures what a real meeting of that
 * size stores, not a copy of the format.
 *
 * The meeting: `participants` people over `seconds` seconds; each person's probabilities follow
 * a slow random walk between emotions (a seeded generator, so runs are repeatable), with a few
 * stretches without a face. Seconds are written a minute at a time, as the analysis writes them
 * once a second folded per minute.
 */
import { EMOTIONS, toProbabilities } from '../../src/shared/emotions.ts';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import { withTimelineStore } from '../../src/shared/timeline-store.ts';
import type { SecondRecord } from '../../src/shared/timeline-store.ts';
import { mulberry32 } from './negatives.ts';

/** What to generate. */
export interface GeneratedMeeting {
  id: string;
  /** Start, ms since the epoch. */
  startedAt: number;
  participants: number;
  seconds: number;
  /** Seed of the generator (any integer). */
  seed: number;
  /** Leave the meeting open (no end time), as a meeting still being analysed. */
  running?: boolean;
}


/** Writes the meeting; resolves with the number of second records written. */
async function writeMeeting(g: GeneratedMeeting): Promise<number> {
  const random = mulberry32(g.seed);
  const people = Array.from({ length: g.participants }, (_, i) => ({ id: `p${i + 1}`, name: `Person ${i + 1}`, isSelf: i === 0 }));
  const logits = people.map(() => EMOTIONS.map((e): number => (e === 'neutral' ? 2 : 0)));
  const away = people.map(() => 0);
  let written = 0;
  await withTimelineStore(async (store) => {
    await store.putMeeting({ schemaVersion: 1, id: g.id, site: 'meet.google.com', adapter: 'meet', startedAt: g.startedAt, endedAt: null, participants: people });
    for (let minute = 0; minute * 60 < g.seconds; minute++) {
      const batch: SecondRecord[] = [];
      for (let s = minute * 60; s < Math.min(g.seconds, (minute + 1) * 60); s++) {
        people.forEach((p, i) => {
          if (away[i]! > 0) away[i]!--;
          else if (random() < 0.002) away[i] = 5 + Math.floor(random() * 60);
          const l = logits[i]!;
          for (let k = 0; k < l.length; k++) l[k] = 0.97 * l[k]! + 0.5 * (random() - 0.5) + (EMOTIONS[k] === 'neutral' ? 0.03 : 0);
          if (away[i]! > 0) {
            batch.push(makeSecondRecord({ meetingId: g.id, participantId: p.id, name: p.name, second: s, probabilities: null, dominant: null, faceSeconds: 0, samples: 3, gap: 'no-face' }));
            return;
          }
          const probabilities = toProbabilities(l.map((v) => Math.exp(v)));
          const dominant = EMOTIONS.reduce((best, e) => (probabilities[e] > probabilities[best] ? e : best));
          batch.push(makeSecondRecord({ meetingId: g.id, participantId: p.id, name: p.name, second: s, probabilities, dominant, faceSeconds: 1, samples: 3, gap: null }));
        });
      }
      await store.addSeconds(batch);
      written += batch.length;
    }
    if (!g.running) await store.endMeeting(g.id, g.startedAt + g.seconds * 1000);
  });
  return written;
}

(globalThis as { __callmoodWriteMeeting?: typeof writeMeeting }).__callmoodWriteMeeting = writeMeeting;

/**
 * The zod schema of `summary.json` (export.ts MeetingSummary), for checking a summary file read
 * back (the tests, and anyone reading an export). Strict: an extra field makes it invalid.
 */
import * as z from 'zod/mini';
import { GAP_REASONS, type GapReason } from './timeline-records.ts';
import { SUMMARY_SCHEMA_VERSION, type MeetingSummary } from './export.ts';

const share = z.number().check(z.gte(0), z.lte(1));
const signed = z.number().check(z.gte(-1), z.lte(1));
const seconds = z.int().check(z.nonnegative());
const emotionNumbersSchema = z.strictObject({
  angry: share,
  disgust: share,
  fear: share,
  happy: share,
  sad: share,
  surprise: share,
  neutral: share,
});

/** Zod (`zod/mini`) schema of `MeetingSummary` (strict). */
export const meetingSummarySchema = z.strictObject({
  schemaVersion: z.literal(SUMMARY_SCHEMA_VERSION),
  meeting: z.strictObject({
    id: z.string(),
    site: z.string(),
    startedAt: z.iso.datetime(),
    endedAt: z.nullable(z.iso.datetime()),
  }),
  participants: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      secondsObserved: z.int().check(z.nonnegative()),
      gaps: z.strictObject(Object.fromEntries(GAP_REASONS.map((g) => [g, z.int().check(z.nonnegative())])) as Record<GapReason, z.ZodMiniInt>),
      secondsWithFace: z.number().check(z.nonnegative()),
      dominantShare: emotionNumbersSchema,
      meanProbabilities: emotionNumbersSchema,
      meanValence: z.nullable(signed),
      meanArousal: z.nullable(signed),
      attendingShare: z.nullable(share),
      talkSeconds: seconds,
      speakingKnownSeconds: seconds,
      meanQuality: z.nullable(share),
    }),
  ),
  talkTime: z.array(z.strictObject({ participantId: z.string(), name: z.string(), seconds, share })),
  reactions: z.array(
    z.strictObject({
      speakerId: z.string(),
      speakerName: z.string(),
      turns: seconds,
      turnSeconds: seconds,
      listenerValenceMean: z.nullable(signed),
      listenerValenceChange: z.nullable(z.number().check(z.gte(-2), z.lte(2))),
    }),
  ),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.infer<typeof meetingSummarySchema>, MeetingSummary> = true;
void schemaMatchesInterface;

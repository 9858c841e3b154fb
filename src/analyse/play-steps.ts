/**
 * Stepping a video by playing it through (file-analysis.ts): the video plays muted faster
 * than real time, `requestVideoFrameCallback` reports each presented frame with its media
 * time, and the first frame at or past the next sample time (k / fps s) is held (drawn) and
 * analysed while the video plays on to the next sample, where it waits paused if that
 * analysis is not done. Playing decodes frame after frame, where a seek decodes from the
 * keyframe before it. This module holds the scheduling (which frame is a sample, which sample
 * comes next, how fast to play) and the wait for a sample frame; it needs no tfjs, so it is
 * tested in Node with a fake video and mock timers (test/unit/play-steps.test.ts).
 */

/** A frame this much before a sample time still counts as at it, s (media times are rounded to µs, 1/30 s is not exact). */
export const SAMPLE_EPSILON_S = 0.001;

/** Playback rates the stepping chooses from (Chromium plays 1/16 to 16), and the one before an analysis has been timed. */
export const PLAY_RATE = { initial: 1, min: 0.25, max: 4 } as const;

/**
 * The video plays on while a held frame is analysed, and should reach the next sample just
 * after that analysis ends: by then the page's main thread, where requestVideoFrameCallback
 * runs, is free again, so the frame taken is late by at most what the media time moves
 * between two callbacks (~rate/60 s). Arriving this much later than the analysis's expected
 * end leaves room for an analysis a little slower than the mean.
 */
export const ARRIVE_AFTER = 1.2;

/** The wait for a sample frame gives up after this long without a new frame, ms (then the rest is stepped by seeking). */
export const STALL_MS = 10_000;

/** True when a frame at `mediaTime` s is sample `k` (due at k / fps s) or past it. */
export function isSampleFrame(mediaTime: number, k: number, fps: number): boolean {
  return mediaTime >= k / fps - SAMPLE_EPSILON_S;
}

/** The first sample (index k, due at k / fps s) after a frame at `mediaTime` s: the samples it was late for are skipped. */
export function nextSampleIndex(mediaTime: number, fps: number): number {
  return Math.floor(mediaTime * fps + SAMPLE_EPSILON_S) + 1;
}

/**
 * The playback rate at which the video, playing on from a frame held for analysis, reaches
 * the next sample `remainingS` media s ahead `ARRIVE_AFTER` times the analysis's expected
 * duration later: fast enough to keep the analysis fed, slow enough that the next sample
 * frame is reported when the main thread is free (rVFC fires at most once per compositor
 * frame, ~60 Hz, so at rate r the media time moves ~r/60 s between reports, and a frame is
 * late by up to that; a callback held up by a busy main thread lets the video run past).
 * @param remainingS media time from the held frame to the next sample, s (≥ 0).
 * @param analysisMs the expected wall time of one frame's analysis, ms, or null before one is timed.
 * @returns a rate in PLAY_RATE.min..max (PLAY_RATE.initial before an analysis is timed).
 */
export function playbackRateFor(remainingS: number, analysisMs: number | null): number {
  if (analysisMs === null || !(analysisMs > 0)) return PLAY_RATE.initial;
  const rate = remainingS / ((ARRIVE_AFTER * analysisMs) / 1000);
  return Math.min(PLAY_RATE.max, Math.max(PLAY_RATE.min, rate));
}

/** How evenly the analysed frames' media times are spaced. */
export interface FrameSpacing {
  /** Frames analysed. */
  frames: number;
  /** Median, smallest and largest gap between consecutive analysed frames, s (0 with under 2 frames). */
  medianS: number;
  minS: number;
  maxS: number;
  /** Gaps over 1.5 sample intervals: where a sample was skipped. */
  skipped: number;
}

/**
 * The spacing of `times` (media times of the analysed frames, s, ascending) for samples every
 * `sampleS` s.
 */
export function frameSpacing(times: readonly number[], sampleS: number): FrameSpacing {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  if (gaps.length === 0) return { frames: times.length, medianS: 0, minS: 0, maxS: 0, skipped: 0 };
  const sorted = [...gaps].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianS = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { frames: times.length, medianS, minS: sorted[0]!, maxS: sorted[sorted.length - 1]!, skipped: gaps.filter((g) => g > 1.5 * sampleS).length };
}

/** What of a `<video>` the wait uses (an HTMLVideoElement; a fake in the unit tests). */
export type PlayableVideo = Pick<HTMLVideoElement, 'paused' | 'ended' | 'play' | 'requestVideoFrameCallback' | 'cancelVideoFrameCallback' | 'addEventListener' | 'removeEventListener'>;

/** How a wait for a sample frame ended: the frame (already held by `onSample`), the video's end, no frame for STALL_MS, a failed `play()`, or the signal. */
export type SampleWait = { kind: 'sample'; mediaTime: number; width: number; height: number } | { kind: 'ended' } | { kind: 'stalled'; reason: string } | { kind: 'aborted' };

/**
 * Plays `video` (when paused) and waits for the first presented frame for which
 * `isSample(mediaTime)` holds. `onSample(metadata)` runs inside that frame's
 * requestVideoFrameCallback, while the frame is the video's current one: it must take the
 * frame (draw it) and pause the video there. Every presented frame's media time, sample or
 * not, goes to `onFrame`.
 * @param stallMs give up when no frame comes for this long, ms.
 * @returns never rejects: an error from `play()` or a callback ends the wait as `stalled`.
 */
export function waitForSample(
  video: PlayableVideo,
  isSample: (mediaTime: number) => boolean,
  onSample: (metadata: VideoFrameCallbackMetadata) => void,
  opts: { stallMs?: number; signal?: AbortSignal; onFrame?: (mediaTime: number) => void } = {},
): Promise<SampleWait> {
  return new Promise<SampleWait>((resolve) => {
    if (opts.signal?.aborted) return resolve({ kind: 'aborted' });
    if (video.ended) return resolve({ kind: 'ended' });
    let handle = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let done = false;
    const finish = (result: SampleWait) => {
      if (done) return;
      done = true;
      video.cancelVideoFrameCallback(handle);
      if (timer !== null) clearTimeout(timer);
      video.removeEventListener('ended', ended);
      opts.signal?.removeEventListener('abort', aborted);
      resolve(result);
    };
    const ended = () => finish({ kind: 'ended' });
    const aborted = () => finish({ kind: 'aborted' });
    const stallMs = opts.stallMs ?? STALL_MS;
    const arm = () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => finish({ kind: 'stalled', reason: `no frame for ${stallMs} ms` }), stallMs);
    };
    const onVideoFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
      if (done) return;
      try {
        opts.onFrame?.(metadata.mediaTime);
        if (isSample(metadata.mediaTime)) {
          onSample(metadata);
          finish({ kind: 'sample', mediaTime: metadata.mediaTime, width: metadata.width, height: metadata.height });
          return;
        }
      } catch (err) {
        finish({ kind: 'stalled', reason: err instanceof Error ? err.message : String(err) });
        return;
      }
      arm();
      handle = video.requestVideoFrameCallback(onVideoFrame);
    };
    video.addEventListener('ended', ended);
    opts.signal?.addEventListener('abort', aborted);
    handle = video.requestVideoFrameCallback(onVideoFrame);
    arm();
    if (video.paused) video.play().catch((err: unknown) => finish({ kind: 'stalled', reason: `play() failed: ${err instanceof Error ? err.message : String(err)}` }));
  });
}

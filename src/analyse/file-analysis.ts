/**
 * Analyses a local video file with the live engine, faster than real time where the machine
 * allows: `FILE_FPS` frames per second of video time, each analysed as soon as it is there
 * (not at the video's own pace). The video is stepped by playing it through at a high rate
 * and holding the first frame at or past each sample time (play-steps.ts: playing decodes
 * frame after frame, where a seek decodes from the keyframe before it); by seeking where the
 * browser has no `requestVideoFrameCallback`, after the video's end for the samples left, or
 * when playing stalls. The whole picture is one multi-person tile, so every face is found,
 * tracked and numbered as in a recording on a call page (engine/face-identity.ts). The result
 * is a meeting of site `file` in the timeline store, its seconds the video's own seconds (each
 * frame on the clock at its own media time), its people named after the file's name (never
 * its path). Nothing of the file leaves the page or is stored beyond the per-second records.
 */
import { createAnalyzerCache } from '../inference/backend.ts';
import { makeConfig, type InferenceConfig } from '../inference/config.ts';
import { TilePipeline } from '../engine/pipeline.ts';
import type { FrameSource } from '../engine/pipeline.ts';
import { heldFrameSource, videoFrameSource } from '../engine/video-source.ts';
import { openTimelineStore, type SecondRecord, type TimelineStore } from '../shared/timeline-store.ts';
import type { TileReport } from '../shared/types.ts';
import { frameSpacing, isSampleFrame, nextSampleIndex, playbackRateFor, waitForSample, type FrameSpacing } from './play-steps.ts';

/** Frames analysed per second of video time. */
export const FILE_FPS = 10;

/**
 * Most faces found in one frame of a file (the live default, `detector.maxFacesPerTile`, is 6:
 * a call's shared video seldom shows more, while a recorded panel or a grid recording does).
 */
export const FILE_MAX_FACES = 12;

/** Id of the one tile a file is analysed as; its people are `file#1`, `file#2`, ... */
export const FILE_TILE_ID = 'file';

/** Progress of a running analysis. */
export interface FileProgress {
  /** Video time analysed so far, s. */
  videoSeconds: number;
  /** The video's duration, s. */
  duration: number;
  /** Wall time since the analysis began (models loaded), ms. */
  elapsedMs: number;
  /** People numbered so far (those seen only in passing included). */
  people: number;
}

/** How a file is stepped: by playing it through (seeking for what playing leaves), or by seeking only. */
export type FileStepping = 'play' | 'seek';

/** How the frames of an analysis were reached. */
export interface SteppingReport {
  /** The stepping asked for ('play' falls back to 'seek' without requestVideoFrameCallback). */
  asked: FileStepping;
  /** Frames taken while playing, and by seeking. */
  played: number;
  sought: number;
  /** Why playing stopped before the end (a stall, a failed play()), or null. */
  fallback: string | null;
  /** Playback rate after the last played frame (PLAY_RATE), or null when none was played. */
  rate: number | null;
  /** Mean lateness of the played frames (media time − sample time), s, or null when none was played. */
  meanLateS: number | null;
  /** How evenly the analysed frames' media times are spaced. */
  spacing: FrameSpacing;
}

/** What an analysis gave. */
export interface FileResult {
  meetingId: string;
  /** People found: faces numbered by the engine and seen for at least MIN_PERSON_SECONDS. */
  people: number;
  /** People seen for less than MIN_PERSON_SECONDS (a face found in passing, or one face briefly taken for two). */
  briefPeople: number;
  /** Video time analysed, s (the whole video unless cancelled). */
  videoSeconds: number;
  /** Wall time of the analysis, ms (model loading not included). */
  elapsedMs: number;
  /** Video seconds analysed per wall-clock second. */
  speed: number;
  /** The tfjs backend and why it was chosen. */
  backend: string;
  /** True when the user stopped it before the end (what was analysed is kept). */
  stopped: boolean;
  /** How its frames were reached. */
  stepping: SteppingReport;
}

/** A person counts as found when their face was seen for at least this long, s. */
export const MIN_PERSON_SECONDS = 1;

/** A file the page cannot analyse, with a message for the user. */
export class FileAnalysisError extends Error {}

/** Waits for `event` on `target`, or rejects on its `error` event. */
function once(target: HTMLVideoElement, event: string): Promise<void> {
  return new Promise((ok, fail) => {
    const done = () => {
      target.removeEventListener(event, done);
      target.removeEventListener('error', failed);
      ok();
    };
    const failed = () => {
      target.removeEventListener(event, done);
      target.removeEventListener('error', failed);
      fail(new FileAnalysisError(`This file is not a video this browser can play (${target.error?.message || `media error ${target.error?.code ?? '?'}`}).`));
    };
    target.addEventListener(event, done);
    target.addEventListener('error', failed);
  });
}

/**
 * Opens `file` in a muted `<video>` and checks it can be analysed.
 * @throws FileAnalysisError for an empty file, a file the browser cannot play, or one without a picture.
 */
export async function openVideo(file: File): Promise<HTMLVideoElement> {
  if (file.size === 0) throw new FileAnalysisError(`"${file.name}" is empty (0 bytes).`);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.src = URL.createObjectURL(file);
  await once(video, 'loadeddata');
  if (!video.videoWidth || !video.videoHeight) throw new FileAnalysisError(`"${file.name}" has no video track (audio only?).`);
  if (!Number.isFinite(video.duration) || video.duration <= 0) throw new FileAnalysisError(`"${file.name}" has no duration the browser can read.`);
  return video;
}

/** Seeks `video` to `t` s and waits until that frame is there. */
async function seek(video: HTMLVideoElement, t: number): Promise<void> {
  const seeked = once(video, 'seeked');
  video.currentTime = t;
  await seeked;
}

const analyzers = createAnalyzerCache();

/**
 * Analyses `video` (from `openVideo`, at its start) of file `name` into a new meeting of site
 * `file`, `FILE_FPS` frames per second of video time, each on the pipeline's clock at its own
 * media time.
 * @param opts.stepping 'play' (default): play through, seeking where playing cannot; 'seek': seek only.
 * @param opts.signal aborting it stops after the current frame; what was analysed is kept as an
 *   ended meeting (the caller may delete it).
 * @throws Error when the models cannot load or the store cannot be written; a meeting already
 *   recorded is ended first, so none is left without an end time.
 */
export async function analyseVideo(video: HTMLVideoElement, name: string, opts: { signal?: AbortSignal; onProgress?: (p: FileProgress) => void; config?: InferenceConfig; stepping?: FileStepping } = {}): Promise<FileResult> {
  const config = opts.config ?? makeConfig({ backend: { choice: 'auto' }, detector: { maxFacesPerTile: FILE_MAX_FACES } });
  const selection = await analyzers.get(config);
  // A file is not live: wait for the cascade's second model, so every frame gets the whole stage.
  await selection.analyzer.emotionReady;
  const store: TimelineStore = await openTimelineStore();
  const meetingId = `file-${crypto.randomUUID()}`;
  const startedAt = Date.now();
  const duration = video.duration;
  const signal = opts.signal;
  let writes: Promise<void> = Promise.resolve();
  const write = (records: SecondRecord[]) => {
    writes = writes.then(() => store.addSeconds(records));
  };
  let seenSoFar = 0;
  /** Media time of the frame in hand, s: the pipeline's clock. */
  let frameAt = 0;
  /** The next sample: due at k / FILE_FPS s. */
  let k = 0;
  const times: number[] = [];
  const asked: FileStepping = opts.stepping ?? 'play';
  const stepping = { asked, played: 0, sought: 0, fallback: null as string | null, rate: null as number | null, late: [] as number[] };
  const t0 = performance.now();
  try {
    await store.putMeeting({ schemaVersion: 1, id: meetingId, site: 'file', adapter: 'file', startedAt, endedAt: null, participants: [] });
    const pipeline = new TilePipeline(
      selection.analyzer,
      config,
      { overlays: false, paused: false, onlyMe: false, baseline: false },
      { tabId: -1, meetingId, startedAt, backendReason: selection.reason },
      {
        onLive: (update) => (seenSoFar = update.participants.filter((p) => p.id !== FILE_TILE_ID).length),
        onRecords: write,
        onError: (err) => console.error('[CallMood] frame failed', err),
      },
      () => startedAt + frameAt * 1000,
    );
    const tile = (size: { width: number; height: number }): TileReport => ({ id: FILE_TILE_ID, name, rect: { x: 0, y: 0, width: size.width, height: size.height }, visible: true, isSelf: false, multiFace: true });
    const videoSize = () => ({ width: video.videoWidth, height: video.videoHeight });
    /** Analyses the frame `source` gives, of `size` video px, at media time `at` s. */
    const analyse = async (source: FrameSource, at: number, size: { width: number; height: number }) => {
      frameAt = at;
      pipeline.setTiles({ adapter: 'generic', site: 'file', viewport: size, devicePixelRatio: 1, tiles: [tile(size)], takenAt: startedAt + at * 1000 });
      await pipeline.step(source);
      times.push(at);
      opts.onProgress?.({ videoSeconds: at, duration, elapsedMs: performance.now() - t0, people: seenSoFar });
    };

    if (asked === 'play' && typeof video.requestVideoFrameCallback === 'function') {
      // Two held frames: the video plays on to the next sample while the one held is analysed,
      // and waits paused on the next one when it comes before that analysis is done.
      const held = [heldFrameSource(video), heldFrameSource(video)] as const;
      const maxSide = config.live.tileImageMaxSide;
      // Sample 0: the frame the loaded video shows.
      let analysisMs: number | null = null;
      if (held[0].hold(tile(videoSize()), maxSide)) {
        const started = performance.now();
        await analyse(held[0], video.currentTime, videoSize());
        analysisMs = performance.now() - started;
        stepping.played++;
        k = nextSampleIndex(video.currentTime, FILE_FPS);
      }
      let slot = 0;
      /** Plays on to sample k, holding its frame in `held[into]` (paused there). */
      const next = (into: number) => {
        const frame = { size: videoSize(), holding: false };
        const target = k;
        const wait = waitForSample(
          video,
          (m) => isSampleFrame(m, target, FILE_FPS),
          (metadata) => {
            // The frame reported is the video's current one only now: take it, then pause there.
            frame.size = { width: metadata.width || video.videoWidth, height: metadata.height || video.videoHeight };
            frame.holding = held[into]!.hold(tile(frame.size), maxSide, frame.size);
            video.pause();
          },
          { signal },
        );
        return wait.then((w) => ({ w, frame, target }));
      };
      try {
        let pending = k / FILE_FPS < duration && !signal?.aborted ? next(slot) : null;
        while (pending) {
          const { w, frame, target } = await pending;
          if (w.kind === 'stalled') stepping.fallback = w.reason;
          if (w.kind !== 'sample' || signal?.aborted) break;
          k = nextSampleIndex(w.mediaTime, FILE_FPS);
          const rate = playbackRateFor(k / FILE_FPS - w.mediaTime, analysisMs);
          stepping.rate = rate;
          stepping.late.push(Math.max(0, w.mediaTime - target / FILE_FPS));
          video.playbackRate = rate;
          const now = slot;
          slot = 1 - slot;
          pending = k / FILE_FPS < duration && !signal?.aborted ? next(slot) : null;
          if (frame.holding) {
            const started = performance.now();
            await analyse(held[now]!, w.mediaTime, frame.size);
            const ms = performance.now() - started;
            analysisMs = analysisMs === null ? ms : 0.7 * analysisMs + 0.3 * ms;
            stepping.played++;
          }
        }
      } finally {
        video.pause();
      }
    }

    // Seeking: all of it without play-through; after it, the samples left past the last frame
    // played (the video's end) or after a stall.
    const source = videoFrameSource(video);
    for (let t: number; (t = k / FILE_FPS) < duration && !signal?.aborted; k++) {
      await seek(video, t);
      await analyse(source, t, videoSize());
      stepping.sought++;
    }
    write(pipeline.stop());
    await writes;
    const videoSeconds = Math.min(duration, k / FILE_FPS);
    await store.endMeeting(meetingId, startedAt + Math.round(videoSeconds * 1000));
    const elapsedMs = performance.now() - t0;
    const faceSeconds = new Map<string, number>();
    for (const r of (await store.listSeconds(meetingId)).records) {
      if (r.participantId !== FILE_TILE_ID) faceSeconds.set(r.participantId, (faceSeconds.get(r.participantId) ?? 0) + r.faceSeconds);
    }
    const seen = [...faceSeconds.values()].filter((s) => s > 0);
    const people = seen.filter((s) => s >= MIN_PERSON_SECONDS).length;
    return {
      meetingId,
      people,
      briefPeople: seen.length - people,
      videoSeconds,
      elapsedMs,
      speed: elapsedMs > 0 ? videoSeconds / (elapsedMs / 1000) : 0,
      backend: selection.reason,
      stopped: Boolean(signal?.aborted) && videoSeconds < duration,
      stepping: { asked, played: stepping.played, sought: stepping.sought, fallback: stepping.fallback, rate: stepping.rate, meanLateS: stepping.late.length ? stepping.late.reduce((a, b) => a + b, 0) / stepping.late.length : null, spacing: frameSpacing(times, 1 / FILE_FPS) },
    };
  } catch (err) {
    await writes.catch(() => {});
    await store.endMeeting(meetingId, startedAt + Math.round(frameAt * 1000)).catch(() => {});
    throw err;
  } finally {
    store.close();
  }
}

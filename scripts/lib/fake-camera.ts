/**
 * Chromium's fake camera fed from a clip: Chromium plays a Y4M file as the camera when launched
 * with `fakeCameraArgs(file)`; `fakeCameraFile` converts a clip (WebM) to Y4M with Debian's
 * ffmpeg. Used by the mirror's end-to-end test and its screenshot.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Where ffmpeg is looked for: FFMPEG_PATH, else Debian's /usr/bin/ffmpeg. */
export function ffmpegPath(): string {
  return process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
}

/** Why the fake camera cannot be fed here, or false. */
export function noFfmpegReason(): string | false {
  return existsSync(ffmpegPath()) ? false : `ffmpeg not found at ${ffmpegPath()} (npm run browsers installs Debian's ffmpeg, or set FFMPEG_PATH)`;
}

/**
 * Converts `clip` to a Y4M file in `outDir` (4:2:0, `width` px wide, `fps` frames per second),
 * unless one newer than the clip is there already. Chromium loops the file as the camera.
 * @returns the Y4M file's path.
 * @throws Error when ffmpeg is missing or fails.
 */
export async function fakeCameraFile(clip: string, outDir: string, width = 640, fps = 15): Promise<string> {
  const out = join(outDir, `${basename(clip).replace(/\.[^.]+$/, '')}-${width}-${fps}.y4m`);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(clip).mtimeMs && statSync(out).size > 0) return out;
  const reason = noFfmpegReason();
  if (reason) throw new Error(reason);
  await mkdir(outDir, { recursive: true });
  const r = spawnSync(ffmpegPath(), ['-loglevel', 'error', '-y', '-i', clip, '-vf', `scale=${width}:-2,fps=${fps}`, '-pix_fmt', 'yuv420p', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not convert ${clip}: ${r.stderr || r.error?.message}`);
  return out;
}

/**
 * Chromium flags that make `file` (Y4M) the only camera and grant camera access without a
 * prompt. Without `grant`, the permission prompt is refused instead (a user who says no).
 */
export function fakeCameraArgs(file: string | null, grant = true): string[] {
  return ['--use-fake-device-for-media-stream', ...(file ? [`--use-file-for-fake-video-capture=${file}`] : []), grant ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts'];
}

/** The mirror's face geometry: each face of an analysed frame in px of the camera's picture. Pure. */
import type { HeadPose } from '../inference/face-signals.ts';
import type { TileAnalysis, TileImage } from '../inference/types.ts';
import type { Rect } from '../shared/types.ts';

/** One face of the latest analysed frame, in px of the camera's picture (unmirrored). */
export interface MirrorFace {
  /** Face bounding box, video px. */
  box: Rect;
  /** 468 (x, y, z) landmarks in video px on every axis (MediaPipe FaceMesh topology); null without the mesh. */
  landmarks: Float32Array | null;
  /** Head pose, degrees (face-signals.ts); null without the mesh. */
  pose: HeadPose | null;
}

/** `result`'s faces scaled from the tile image (`image`) to the video's px. */
export function facesInVideo(image: Pick<TileImage, 'width' | 'height'>, result: Pick<TileAnalysis, 'faces'>, width: number, height: number): MirrorFace[] {
  const sx = width / image.width;
  const sy = height / image.height;
  return result.faces.map((f) => {
    let landmarks: Float32Array | null = null;
    if (f.landmarks) {
      landmarks = new Float32Array(f.landmarks.length);
      for (let j = 0; j < landmarks.length; j += 3) {
        landmarks[j] = f.landmarks[j]! * sx;
        landmarks[j + 1] = f.landmarks[j + 1]! * sy;
        landmarks[j + 2] = f.landmarks[j + 2]! * sx;
      }
    }
    return { box: { x: f.box.x * sx, y: f.box.y * sy, width: f.box.width * sx, height: f.box.height * sy }, landmarks, pose: f.signals?.pose ?? null };
  });
}

/**
 * The aligned emotion crop: where a face's crop lies in its tile when it is framed from the
 * face mesh's landmarks instead of the detector's box. The eye line is levelled (the crop is
 * rotated by the roll of the line from one eye's centre to the other's) and, in 'fer' mode,
 * the crop's centre and side are set so that the eyes fall where the mesh finds them in
 * FER-2013's own crops (FER_EYES, measured by `npm run bench:fer-framing`). The result is an
 * affine map from crop pixels to tile pixels, in the 8-number form of `tf.image.transform`.
 */
import type { Rect } from '../shared/types.ts';

/** How the emotion crop is framed: the detector's box ('none'), levelled ('roll'), levelled and FER-framed ('fer'). */
export const ALIGN_MODES = ['none', 'roll', 'fer'] as const;
export type AlignMode = (typeof ALIGN_MODES)[number];

/** Eye-corner landmarks of MediaPipe FaceMesh's 468-point topology: one eye 33 (outer) and 133 (inner), the other 362 (inner) and 263 (outer). */
export const EYE_CORNERS = { first: [33, 133], second: [362, 263] } as const;

/**
 * Where the eyes are in FER-2013's 48x48 crops, as fractions of the crop side: the midpoint
 * of the two eye centres (x, y from the top left) and the distance between the eye centres.
 * Means over the FER-2013 PublicTest images of the choosing half whose face the mesh fits
 * (`npm run bench:fer-framing`, bench/results/fer-framing.json).
 */
export const FER_EYES = { midX: 0.49, midY: 0.394, distance: 0.325 };

/** The eye centres of a face, tile px: the mean of each eye's two corner landmarks. */
export interface EyeCentres {
  /** The eye whose corners are landmarks 33 and 133 (the image's left for a frontal face). */
  first: { x: number; y: number };
  /** The eye whose corners are landmarks 362 and 263. */
  second: { x: number; y: number };
}

/**
 * The eye centres of the face whose 468 (x, y, z) landmarks are `landmarks` (flat, any px).
 * @returns null when a coordinate is not finite or the centres coincide.
 */
export function eyeCentres(landmarks: ArrayLike<number>): EyeCentres | null {
  const mean = (a: number, b: number) => ({ x: (landmarks[a * 3]! + landmarks[b * 3]!) / 2, y: (landmarks[a * 3 + 1]! + landmarks[b * 3 + 1]!) / 2 });
  const first = mean(EYE_CORNERS.first[0], EYE_CORNERS.first[1]);
  const second = mean(EYE_CORNERS.second[0], EYE_CORNERS.second[1]);
  if (![first.x, first.y, second.x, second.y].every(Number.isFinite)) return null;
  if (Math.hypot(second.x - first.x, second.y - first.y) < 1e-6) return null;
  return { first, second };
}

/** A square crop of a tile, possibly rotated: its centre and side in tile px and its roll in radians. */
export interface CropFrame {
  cx: number;
  cy: number;
  side: number;
  /** Angle of the crop's x axis in the tile, radians (positive turns x towards +y). */
  angle: number;
}

/**
 * The emotion crop of a face: `box` (tile px, the crop the plain path would take) for mode
 * 'none' or without usable landmarks; rotated about the box's centre so the eye line is
 * level for 'roll'; for 'fer', levelled and with centre and side set so that the eye centres'
 * midpoint falls at (FER_EYES.midX, FER_EYES.midY) of the side and the eye distance is
 * FER_EYES.distance of it.
 * @param landmarks 468 flat (x, y, z) triples in tile px, or null.
 */
export function cropFrame(box: Rect, landmarks: ArrayLike<number> | null, mode: AlignMode): CropFrame {
  const plain = { cx: box.x + box.width / 2, cy: box.y + box.height / 2, side: Math.max(box.width, box.height), angle: 0 };
  const eyes = mode === 'none' || !landmarks ? null : eyeCentres(landmarks);
  if (!eyes) return plain;
  const dx = eyes.second.x - eyes.first.x;
  const dy = eyes.second.y - eyes.first.y;
  // A mirrored or upside-down fit would put the second eye on the left: level the line, never flip the face.
  const angle = dx >= 0 ? Math.atan2(dy, dx) : Math.atan2(-dy, -dx);
  if (mode === 'roll') return { ...plain, angle };
  const side = Math.hypot(dx, dy) / FER_EYES.distance;
  const mx = (eyes.first.x + eyes.second.x) / 2;
  const my = (eyes.first.y + eyes.second.y) / 2;
  // Offset from the eyes' midpoint to the crop's centre, in the crop's own axes, turned into the tile's.
  const ox = (0.5 - FER_EYES.midX) * side;
  const oy = (0.5 - FER_EYES.midY) * side;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return { cx: mx + c * ox - s * oy, cy: my + s * ox + c * oy, side, angle };
}

/**
 * The `tf.image.transform` row that samples `frame` into an `out` x `out` crop: output pixel
 * (u, v) reads tile point (a0 u + a1 v + a2, b0 u + b1 v + b2) (pixel indices, centres at
 * integers), [a0, a1, a2, b0, b1, b2, 0, 0].
 */
export function transformRow(frame: CropFrame, out: number): number[] {
  const k = frame.side / out;
  const c = Math.cos(frame.angle) * k;
  const s = Math.sin(frame.angle) * k;
  // Output pixel centre u + 0.5 sits (u + 0.5 - out / 2) * k from the crop's centre along its x axis.
  const h = out / 2 - 0.5;
  return [c, -s, frame.cx - 0.5 - c * h + s * h, s, c, frame.cy - 0.5 - s * h - c * h, 0, 0];
}

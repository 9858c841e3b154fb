/**
 * The appearance stage: a small descriptor of each face for telling the people of one tile
 * apart across frames (face-identity.ts): the face box's pixels bilinearly resized to 4x4
 * RGB, 48 values in 0..255, row-major.
 */
import { cropBoxes, type TileBox } from './crops.ts';
import type { TF } from './types.ts';

/** Values per appearance descriptor (4 x 4 x RGB). */
export const APPEARANCE_LENGTH = 48;

/**
 * Descriptors of the non-null `items`, one op and one readback.
 * @returns one descriptor per item, null where the item is null.
 */
export async function appearances(tf: TF, items: readonly (TileBox | null)[]): Promise<(number[] | null)[]> {
  const wanted = items.flatMap((b, k) => (b ? [k] : []));
  const out: (number[] | null)[] = items.map(() => null);
  if (wanted.length === 0) return out;
  const t = cropBoxes(tf, wanted.map((k) => items[k]!), 4);
  const data = (await t.data()) as Float32Array;
  t.dispose();
  wanted.forEach((k, j) => (out[k] = Array.from(data.subarray(j * APPEARANCE_LENGTH, (j + 1) * APPEARANCE_LENGTH))));
  return out;
}

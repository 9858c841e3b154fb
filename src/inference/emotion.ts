/**
 * The emotion stage: crops each face box, preprocesses it as the model was trained
 * (training/export_tfjs.py reproduces this), runs every face of a frame through the model in
 * one batch with one readback, and returns probabilities in EMOTIONS order. Gray models: crop
 * + bilinear resize to the input side, gray (0.2989, 0.587, 0.114), x / 255, optional
 * lighting correction, (x - 0.5) * 2. RGB models: crop + resize, 0..255.
 */
import type { Tensor } from '@vladmandic/human';
import { applyTemperature, EMOTIONS, type Probabilities } from '../shared/emotions.ts';
import type { InferenceConfig } from './config.ts';
import { cropBoxes, type TileBox } from './crops.ts';
import { resolveEmotionModel, type EmotionModelSpec, type EmotionNet } from './emotion-models.ts';
import { supersampleFactors } from './geometry.ts';
import type { TF } from './types.ts';

const GRAY_WEIGHTS = [0.2989, 0.587, 0.114];

/** Square face box scaled by `k` about its centre. */
function scaleBox(b: TileBox['box'], k: number): TileBox['box'] {
  return { x: b.x + (b.width * (1 - k)) / 2, y: b.y + (b.height * (1 - k)) / 2, width: b.width * k, height: b.height * k };
}

/** The loaded emotion model(s) of a configuration and the classification of face boxes. */
export class EmotionClassifier {
  private constructor(
    private readonly tf: TF,
    private readonly members: { spec: EmotionModelSpec; weight: number; net: EmotionNet }[],
    private readonly config: InferenceConfig['emotion'],
  ) {}

  /**
   * Loads `config.emotion.model` (one registered model, or an ensemble's two).
   * @throws Error when the model is not in this build or its files cannot be loaded.
   */
  static async load(tf: TF, config: InferenceConfig): Promise<EmotionClassifier> {
    const members = resolveEmotionModel(config.emotion.model, config.emotion.ensembleWeight);
    const loaded = await Promise.all(members.map(async (m) => ({ ...m, net: await m.spec.load(tf, config.models.baseUrl) })));
    return new EmotionClassifier(tf, loaded, config.emotion);
  }

  /**
   * [n, side, side, channels] preprocessed crops of `items` for `spec`, n = items.length;
   * flipped copies appended (2n rows) with `flipAverage`, or row k mirrored where `mirror[k]`.
   */
  private inputs(spec: EmotionModelSpec, items: readonly TileBox[], flipAverage: boolean, mirror?: readonly boolean[]): Tensor {
    const tf = this.tf;
    const side = spec.inputSide;
    const n = items.length;
    let faces: Tensor;
    const ks = spec.channels === 1 && this.config.antialias ? supersampleFactors(items.map((i) => i.box), side) : null;
    if (!ks || ks.every((k) => k === 1)) {
      faces = cropBoxes(tf, items, side);
    } else {
      // Area-averaging downscale: each box cropped to k x side, then k x k blocks averaged.
      const pooled = items.map((it, i) => {
        const big = cropBoxes(tf, [it], side * ks[i]!);
        return (ks[i] === 1 ? big : tf.avgPool(big, ks[i]!, ks[i]!, 'valid')) as Tensor;
      });
      faces = tf.concat(pooled, 0);
    }
    if (mirror?.some((m) => m)) {
      const both = tf.concat([faces, tf.image.flipLeftRight(faces)], 0);
      faces = tf.gather(both, tf.tensor1d(mirror.map((m, k) => (m ? n + k : k)), 'int32')) as Tensor;
    } else if (flipAverage) {
      faces = tf.concat([faces, tf.image.flipLeftRight(faces)], 0);
    }
    if (spec.channels === 3) return faces;
    let gray = tf.div(tf.sum(tf.mul(faces, tf.tensor1d(GRAY_WEIGHTS)), 3, true), 255);
    if (this.config.lighting === 'standardize') {
      const { mean, variance } = tf.moments(gray, [1, 2, 3], true);
      gray = tf.clipByValue(tf.add(tf.mul(tf.div(tf.sub(gray, mean), tf.add(tf.sqrt(variance), 1e-3)), this.config.lightingTargetStd), 0.5), 0, 1);
    }
    return tf.mul(tf.sub(gray, 0.5), 2) as Tensor;
  }

  /**
   * Classifies face boxes (tile px, each scaled by `cropScale` about its centre), one batch,
   * one readback per model, then flip averaging and temperature.
   * @param mirror one flag per item: classify each face once, mirrored where true (flip
   *   alternation in the live pipeline); otherwise the configured `flipAverage`.
   * @returns probabilities per item, in order (empty for no items).
   */
  async classify(items: readonly TileBox[], mirror?: readonly boolean[]): Promise<Probabilities[]> {
    if (items.length === 0) return [];
    const tf = this.tf;
    const k = this.config.cropScale;
    const boxes = k === 1 ? items : items.map((it) => ({ tile: it.tile, box: scaleBox(it.box, k) }));
    const flipAverage = this.config.flipAverage && !mirror;
    const n = boxes.length;
    const outputs = this.members.map((m) => tf.tidy(() => m.net.run(this.inputs(m.spec, boxes, flipAverage, mirror))));
    try {
      const data = (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
      const rows = flipAverage ? 2 : 1;
      return boxes.map((_, face) => {
        const p = EMOTIONS.map(() => 0);
        this.members.forEach((m, j) => {
          for (let r = 0; r < rows; r++) {
            const row = data[j]!.subarray((r * n + face) * 7, (r * n + face) * 7 + 7);
            m.spec.classOrder.forEach((e, i) => (p[EMOTIONS.indexOf(e)]! += (m.weight * row[i]!) / rows));
          }
        });
        return applyTemperature(p, this.config.temperature);
      });
    } finally {
      tf.dispose(outputs);
    }
  }

  dispose(): void {
    for (const m of this.members) m.net.dispose();
  }
}

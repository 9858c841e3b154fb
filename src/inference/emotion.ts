/**
 * The emotion stage: crops each face box, preprocesses it as the model was trained
 * (training/export_tfjs.py reproduces this), runs every face of a frame through the model in
 * one batch with one readback, and returns probabilities in EMOTIONS order. Gray models: crop
 * + bilinear resize to the input side, gray (0.2989, 0.587, 0.114), x / 255, optional
 * lighting correction, (x - 0.5) * 2. RGB models: crop + resize, 0..255. A cascade
 * (`emotion.cascadeModel`) sends the faces the first model is unsure of through a second
 * model and mixes the two; the crop can be framed from the landmarks (`emotion.align`,
 * alignment.ts).
 */
import type { Tensor } from '@vladmandic/human';
import { applyTemperature, dominantEmotion, EMOTIONS, type Probabilities } from '../shared/emotions.ts';
import type { InferenceConfig } from './config.ts';
import { cropBoxes, type TileBox } from './crops.ts';
import { resolveEmotionModel, type EmotionModelSpec, type EmotionNet } from './emotion-models.ts';
import { supersampleFactors } from './geometry.ts';
import { cropFrame, transformRow } from './alignment.ts';
import type { TF } from './types.ts';

const GRAY_WEIGHTS = [0.2989, 0.587, 0.114];

/** A face to classify: its box (tile px) and, for the aligned crop, its landmarks. */
export interface FaceCrop extends TileBox {
  /** The face mesh's 468 (x, y, z) landmarks in tile px (`FaceAnalysis.landmarks`); without them the crop is the box. */
  landmarks?: ArrayLike<number> | null;
}

/** Square face box scaled by `k` about its centre. */
function scaleBox(b: TileBox['box'], k: number): TileBox['box'] {
  return { x: b.x + (b.width * (1 - k)) / 2, y: b.y + (b.height * (1 - k)) / 2, width: b.width * k, height: b.height * k };
}

/** The loaded emotion model(s) of a configuration and the classification of face boxes. */
export class EmotionClassifier {
  /** The cascade's second model (`emotion.cascadeModel`) once loaded; null before, or without a cascade. */
  private second: { spec: EmotionModelSpec; net: EmotionNet } | null = null;
  private disposed = false;
  /**
   * Settles when the cascade's second model has loaded, or failed to (the cascade then stays
   * off, with a console warning); at once without a cascade. Never rejects.
   */
  ready: Promise<void> = Promise.resolve();

  private constructor(
    private readonly tf: TF,
    private readonly members: { spec: EmotionModelSpec; weight: number; net: EmotionNet }[],
    private readonly config: InferenceConfig['emotion'],
  ) {}

  /**
   * Loads `config.emotion.model` (one registered model, or an ensemble's two) and starts
   * loading the cascade's second model (`cascadeModel`) in the background, so that a
   * (re)start waits for the first model only; until `ready`, every face gets the first model's
   * reading alone.
   * @throws Error when a model is not in this build, the cascade's model is an ensemble, or
   *   the first model's files cannot be loaded.
   */
  static async load(tf: TF, config: InferenceConfig): Promise<EmotionClassifier> {
    const load = async (m: { spec: EmotionModelSpec; weight: number }) => ({ ...m, net: await m.spec.load(tf, config.models.baseUrl) });
    const { cascadeModel } = config.emotion;
    const second = cascadeModel ? resolveEmotionModel(cascadeModel, 0) : [];
    if (second.length > 1) throw new Error(`emotion cascade: '${cascadeModel}' is an ensemble, not a single model`);
    const members = await Promise.all(resolveEmotionModel(config.emotion.model, config.emotion.ensembleWeight).map(load));
    const classifier = new EmotionClassifier(tf, members, config.emotion);
    if (second[0]) {
      classifier.ready = load(second[0]).then(
        (m) => {
          if (classifier.disposed) m.net.dispose();
          else classifier.second = m;
        },
        (err: unknown) => console.warn(`CallMood: the emotion cascade's model '${cascadeModel}' did not load, so it stays off: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    return classifier;
  }

  /**
   * [n, side, side, channels] preprocessed crops of `items` for `spec`, n = items.length;
   * flipped copies appended (2n rows) with `flipAverage`, or row k mirrored where `mirror[k]`.
   */
  private inputs(spec: EmotionModelSpec, items: readonly FaceCrop[], flipAverage: boolean, mirror?: readonly boolean[]): Tensor {
    const tf = this.tf;
    const side = spec.inputSide;
    const n = items.length;
    let faces: Tensor;
    const ks = spec.channels === 1 && this.config.antialias ? supersampleFactors(items.map((i) => i.box), side) : null;
    if (this.config.align !== 'none' && items.some((it) => it.landmarks)) {
      // Aligned crop (alignment.ts): one affine resampling of the tile per face.
      faces = tf.concat(
        items.map((it) => tf.image.transform(it.tile.frame, tf.tensor2d([transformRow(cropFrame(it.box, it.landmarks ?? null, this.config.align), side)]), 'bilinear', 'constant', 0, [side, side]) as Tensor),
        0,
      );
    } else if (!ks || ks.every((k) => k === 1)) {
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
   * One model's probabilities for `boxes`, in EMOTIONS order (each row summing to 1), flip
   * averaged where `flipAverage`: one batch, one readback.
   */
  private async run(spec: EmotionModelSpec, net: EmotionNet, boxes: readonly FaceCrop[], flipAverage: boolean, mirror?: readonly boolean[]): Promise<number[][]> {
    const n = boxes.length;
    const out = this.tf.tidy(() => net.run(this.inputs(spec, boxes, flipAverage, mirror)));
    try {
      const data = (await out.data()) as Float32Array;
      const rows = flipAverage ? 2 : 1;
      return boxes.map((_, face) => {
        const p = EMOTIONS.map(() => 0);
        for (let r = 0; r < rows; r++) {
          const row = data.subarray((r * n + face) * 7, (r * n + face) * 7 + 7);
          spec.classOrder.forEach((e, i) => (p[EMOTIONS.indexOf(e)]! += row[i]! / rows));
        }
        return p;
      });
    } finally {
      out.dispose();
    }
  }

  /**
   * Classifies face boxes (tile px, each scaled by `cropScale` about its centre, framed by
   * `align` where landmarks are given): each model one batch and one readback, then flip
   * averaging and temperature. With a cascade (`cascadeModel`), the faces whose top
   * probability is under `cascadeBelow` and whose top class is one of `cascadeClasses` go
   * through the second model in a second batch and get (1 - cascadeWeight) * p +
   * cascadeWeight * p_second; then every face's probabilities get `cascadeTemperature`.
   * @param mirror one flag per item: classify each face once, mirrored where true (flip
   *   alternation in the live pipeline); otherwise the configured `flipAverage`.
   * @returns probabilities per item, in order (empty for no items).
   */
  async classify(items: readonly FaceCrop[], mirror?: readonly boolean[]): Promise<Probabilities[]> {
    if (items.length === 0) return [];
    const k = this.config.cropScale;
    const boxes = k === 1 ? items : items.map((it) => ({ ...it, box: scaleBox(it.box, k) }));
    const flipAverage = this.config.flipAverage && !mirror;
    const each = await Promise.all(this.members.map((m) => this.run(m.spec, m.net, boxes, flipAverage, mirror)));
    const first = boxes.map((_, face) => applyTemperature(EMOTIONS.map((_e, c) => this.members.reduce((sum, m, j) => sum + m.weight * each[j]![face]![c]!, 0)), this.config.temperature));
    if (!this.second) return first;
    const { cascadeBelow, cascadeClasses, cascadeWeight: w, cascadeTemperature } = this.config;
    const unsure = first.flatMap((p, k) => {
      const top = dominantEmotion(p);
      return top.confidence < cascadeBelow && cascadeClasses.includes(top.emotion) ? [k] : [];
    });
    const calibrated = (ps: Probabilities[]) => (cascadeTemperature === 1 ? ps : ps.map((p) => applyTemperature(p, cascadeTemperature)));
    if (unsure.length === 0) return calibrated(first);
    const seconds = await this.run(this.second.spec, this.second.net, unsure.map((i) => boxes[i]!), flipAverage, mirror && unsure.map((i) => mirror[i]!));
    const out = [...first];
    unsure.forEach((i, j) => {
      const p = first[i]!;
      out[i] = Object.fromEntries(EMOTIONS.map((e, c) => [e, (1 - w) * p[e] + w * seconds[j]![c]!])) as Probabilities;
    });
    return calibrated(out);
  }

  dispose(): void {
    this.disposed = true;
    for (const m of this.members) m.net.dispose();
    this.second?.net.dispose();
    this.second = null;
  }
}

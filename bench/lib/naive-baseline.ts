/**
 * The benchmark baseline: what a straightforward extension would do. Each tile's image is
 * passed to `human.detect()` with human's default configuration
 * (face detector, mesh, iris, emotion, description, body and hand models on, all as human
 * ships them), with human's frame caches off so that tiles do not share results. Only in the
 * benchmark build (bench/offscreen-bench.ts), never in the extension users load.
 */
import { Human, type Config as HumanConfig } from '@vladmandic/human';
import { EMOTIONS, toProbabilities } from '../../src/shared/emotions.ts';
import type { InferenceConfig } from '../../src/inference/config.ts';
import type { AnalysisTiming, TileAnalysis, TileAnalyzer, TileImage } from '../../src/inference/types.ts';
import { unmeasuredQuality } from '../../src/inference/face-quality.ts';

/** Tile images through human.detect() with human's defaults. */
export class NaiveHumanAnalyzer implements TileAnalyzer {
  private constructor(readonly human: Human) {}

  get tf(): Human['tf'] {
    return this.human.tf;
  }

  get backend(): string {
    return this.human.tf.getBackend();
  }

  /**
   * @throws Error when the backend or one of human's default models cannot be loaded (a
   *   regular build does not package them: use `npm run build -- --bench`).
   */
  static async create(config: InferenceConfig, backend: string): Promise<NaiveHumanAnalyzer> {
    const human = new Human({
      backend: backend as HumanConfig['backend'],
      modelBasePath: config.models.baseUrl,
      wasmPath: config.models.wasmBaseUrl,
      wasmPlatformFetch: false,
      debug: false,
      warmup: 'none',
      cacheModels: false,
      // Caches off: with them, tiles would be handed each other's results.
      cacheSensitivity: 0,
      skipAllowed: false,
    });
    if (backend === 'wasm') human.tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await human.init();
    await human.load();
    return new NaiveHumanAnalyzer(human);
  }

  async analyse(images: TileImage[]): Promise<{ tiles: TileAnalysis[]; timing: AnalysisTiming }> {
    const t0 = performance.now();
    const tiles: TileAnalysis[] = [];
    for (const tile of images) {
      const result = await this.human.detect(tile.image);
      const face = result.face?.[0];
      if (!face || !face.emotion?.length) {
        tiles.push({ key: tile.key, status: 'analysed', tracked: false, stillMs: 0, smallFace: false, face: null, faces: [] });
        continue;
      }
      const scores = EMOTIONS.map((e) => face.emotion!.find((f) => f.emotion === e)?.score ?? 0);
      const found = {
        box: { x: face.box[0], y: face.box[1], width: face.box[2], height: face.box[3] },
        score: face.boxScore,
        meshScore: face.faceScore,
        probabilities: toProbabilities(scores.some((v) => v > 0) ? scores : EMOTIONS.map(() => 1)),
        signals: null,
        landmarks: null,
        quality: unmeasuredQuality(Math.max(face.box[2], face.box[3])),
      };
      tiles.push({ key: tile.key, status: 'analysed', tracked: false, stillMs: 0, smallFace: false, face: found, faces: [found] });
    }
    const totalMs = performance.now() - t0;
    return { tiles, timing: { totalMs, readMs: 0, detectMs: totalMs, trackMs: 0, emotionMs: 0, signalsMs: 0 } };
  }

  dispose(): void {
    this.human.models.reset();
  }
}

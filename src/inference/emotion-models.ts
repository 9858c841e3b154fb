/**
 * The emotion models a build can run, as a registry: each entry says its input (side in px,
 * 1 gray or 3 RGB channels), its output class order, and how to load it. The extension
 * registers CallMood's own network and face-api's expression net (the cascade's second
 * opinion); evaluation builds register others (bench/lib/research-models.ts) to compare against.
 */
import type { GraphModel, Tensor } from '@vladmandic/human';
import { EMOTIONS, type Emotion } from '../shared/emotions.ts';
import type { TF } from './types.ts';

/** A loaded emotion network. */
export interface EmotionNet {
  /**
   * Maps a batch of preprocessed crops to class scores. Input: [n, side, side, channels];
   * gray models get (gray / 255 - 0.5) * 2 in [-1, 1], RGB models 0..255. Output: [n, 7]
   * probabilities in the spec's `classOrder`. The caller disposes of the result.
   */
  run(batch: Tensor): Tensor;
  dispose(): void;
}

/** One emotion model of the registry. */
export interface EmotionModelSpec {
  id: string;
  /** Input side, px (square). */
  inputSide: number;
  /** 1: gray (weights 0.2989, 0.587, 0.114; the lighting option applies); 3: RGB. */
  channels: 1 | 3;
  /** The classes of the output, in output order. */
  classOrder: readonly Emotion[];
  /**
   * Loads the network from `baseUrl` (the build's models/ folder, ending in '/').
   * @throws Error when a file cannot be fetched or parsed.
   */
  load(tf: TF, baseUrl: string): Promise<EmotionNet>;
}

/** A mixture of registered models: p = sum_k weight_k * p_k, weights from the configuration. */
export interface EmotionEnsembleSpec {
  id: string;
  /** Member ids; the configuration's `emotion.ensembleWeight` w weighs them 1 - w and w. */
  members: readonly [string, string];
}

/** A graph model (tfjs GraphModel JSON + shards) whose single output is the 7 probabilities. */
export function graphModelSpec(id: string, file: string, inputSide: number, channels: 1 | 3, classOrder: readonly Emotion[]): EmotionModelSpec {
  return {
    id,
    inputSide,
    channels,
    classOrder,
    async load(tf, baseUrl) {
      const model: GraphModel = await tf.loadGraphModel(`${baseUrl}${file}`);
      return { run: (batch) => model.execute(batch) as Tensor, dispose: () => model.dispose() };
    },
  };
}

/**
 * CallMood's own network: a VGG-style CNN trained on FER-2013's training split and distilled
 * from a teacher mix (recipe and figures in training/README.md; files in models/), 48x48
 * gray in, FER-2013 class order out.
 */
export const CALLMOOD_MODEL = graphModelSpec('callmood', 'callmood-emotion.json', 48, 1, EMOTIONS);

/** Output order of face-api's FaceExpressionNet, in our class names. */
const FACEAPI_ORDER: Emotion[] = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'];

/**
 * face-api's FaceExpressionNet (@vladmandic/face-api 1.7, MIT; files
 * `face_expression_model-weights_manifest.json` + `.bin` copied from its model/ folder by the
 * build): a small densely connected CNN trained by face-api's author on data other than
 * FER-2013, 112x112 RGB (0..255) in, softmax over FACEAPI_ORDER out. It reads posed, strong
 * expressions (CK+) better than FER-trained networks and in-the-wild faces worse.
 */
export const FACEAPI_MODEL: EmotionModelSpec = {
  id: 'faceapi',
  inputSide: 112,
  channels: 3,
  classOrder: FACEAPI_ORDER,
  // Weights through tfjs's own loader: face-api's `loadFromUri` mangles some URLs.
  async load(tf, baseUrl) {
    // Imported when loaded: in Node (unit tests) the package resolves to a build that needs tfjs-node.
    const faceapi = await import('@vladmandic/face-api');
    const response = await fetch(`${baseUrl}face_expression_model-weights_manifest.json`);
    if (!response.ok) throw new Error(`face-api expression model manifest: HTTP ${response.status}`);
    const weights = await tf.io.loadWeights(await response.json(), baseUrl.replace(/\/$/, ''));
    const net = new faceapi.FaceExpressionNet();
    net.loadFromWeightMap(weights as never);
    return {
      run(batch) {
        const images = tf.unstack(batch);
        return net.forwardInput(new faceapi.NetInput(images as never)) as unknown as Tensor;
      },
      dispose: () => net.dispose(),
    };
  },
};

const registry = new Map<string, EmotionModelSpec | EmotionEnsembleSpec>([
  [CALLMOOD_MODEL.id, CALLMOOD_MODEL],
  [FACEAPI_MODEL.id, FACEAPI_MODEL],
]);

/** Adds (or replaces) a model or ensemble in this build's registry. */
export function registerEmotionModel(spec: EmotionModelSpec | EmotionEnsembleSpec): void {
  registry.set(spec.id, spec);
}

/** The ids this build can run. */
export function emotionModelIds(): string[] {
  return [...registry.keys()];
}

/**
 * The single models behind `id` with their weights (one with weight 1, or an ensemble's two).
 * @throws Error when `id` (or a member) is not registered in this build.
 */
export function resolveEmotionModel(id: string, ensembleWeight: number): { spec: EmotionModelSpec; weight: number }[] {
  const spec = registry.get(id);
  if (!spec) throw new Error(`emotion model '${id}' is not in this build (it has: ${emotionModelIds().join(', ')})`);
  if (!('members' in spec)) return [{ spec, weight: 1 }];
  return spec.members.map((m, k) => {
    const member = registry.get(m);
    if (!member || 'members' in member) throw new Error(`ensemble '${id}': member '${m}' is not a registered single model`);
    return { spec: member, weight: k === 0 ? 1 - ensembleWeight : ensembleWeight };
  });
}

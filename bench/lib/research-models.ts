/**
 * Emotion models that CallMood compares its own network against, registered only in the
 * evaluation harness (dist/harness), never in the extension users load:
 * - 'human': oarriaga's big-XCEPTION trained on FER-2013, as shipped in @vladmandic/human
 *   (`emotion.json`, 64x64 gray, FER-2013 class order);
 * - 'faceapi': face-api's FaceExpressionNet from @vladmandic/face-api (112x112 RGB);
 * - 'ensemble': (1 - w) * human + w * faceapi, w = `emotion.ensembleWeight`.
 */
import * as faceapi from '@vladmandic/face-api';
import type { Tensor } from '@vladmandic/human';
import { EMOTIONS, type Emotion } from '../../src/shared/emotions.ts';
import { graphModelSpec, registerEmotionModel } from '../../src/inference/emotion-models.ts';

/** Output order of face-api's FaceExpressionNet, in our class names. */
const FACEAPI_ORDER: Emotion[] = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'];

/**
 * Registers the three models; their files are loaded from `baseUrl` (ending in '/'), not from
 * the configuration's model folder, since the extension does not carry them.
 */
export function registerResearchModels(baseUrl: string): void {
  const human = graphModelSpec('human', 'emotion.json', 64, 1, EMOTIONS);
  registerEmotionModel({ ...human, load: (tf) => human.load(tf, baseUrl) });
  registerEmotionModel({
    id: 'faceapi',
    inputSide: 112,
    channels: 3,
    classOrder: FACEAPI_ORDER,
    // Weights through tfjs's own loader: face-api's `loadFromUri` mangles some URLs.
    async load(tf) {
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
  });
  registerEmotionModel({ id: 'ensemble', members: ['human', 'faceapi'] });
}

/**
 * Emotion models that CallMood compares its own network against, registered only in the
 * evaluation harness (dist/harness), never in the extension users load:
 * - 'human': oarriaga's big-XCEPTION trained on FER-2013, as shipped in @vladmandic/human
 *   (`emotion.json`, 64x64 gray, FER-2013 class order);
 * - 'ensemble': (1 - w) * human + w * faceapi, w = `emotion.ensembleWeight` (face-api's
 *   expression net is registered in every build: emotion-models.ts FACEAPI_MODEL).
 */
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { graphModelSpec, registerEmotionModel } from '../../src/inference/emotion-models.ts';

/**
 * Registers the two; human's model is loaded from `baseUrl` (ending in '/'), not from the
 * configuration's model folder, since the extension does not carry it.
 */
export function registerResearchModels(baseUrl: string): void {
  const human = graphModelSpec('human', 'emotion.json', 64, 1, EMOTIONS);
  registerEmotionModel({ ...human, load: (tf) => human.load(tf, baseUrl) });
  registerEmotionModel({ id: 'ensemble', members: ['human', 'faceapi'] });
}

/**
 * npx tsx bench/lib/clip-signals-micro.ts
 *
 * Time of the per-face signal arithmetic outside tfjs, in Node: human's mesh to landmarks
 * (`landmarksFromHuman`), `landmarkSignals` (pose, eye and mouth ratios), `isAttending` and
 * `SpeakingDetector.push`, on a synthetic 468-point mesh, 20,000 faces twice (the second
 * pass is the figure). Prints µs per face. The quality measurement (`measureFaces`, tfjs) is
 * timed in the browser by `npm run bench:signals-clips`.
 */
import { isAttending, SpeakingDetector } from '../../src/engine/signals.ts';
import { DEFAULT_CONFIG } from '../../src/inference/config.ts';
import { landmarkSignals, landmarksFromHuman } from '../../src/inference/face-signals.ts';
import type { FaceAnalysis } from '../../src/inference/types.ts';

const FACES = 20_000;
const mesh = Array.from({ length: 468 }, (_, i) => [100 + Math.sin(i) * 50, 120 + Math.cos(i * 1.3) * 60, Math.sin(i * 0.7) * 10]);
const detector = new SpeakingDetector(DEFAULT_CONFIG.signals);
let flags = 0;
for (let pass = 1; pass <= 2; pass++) {
  const t0 = performance.now();
  for (let i = 0; i < FACES; i++) {
    const signals = landmarkSignals(landmarksFromHuman(mesh, 200)!);
    const face = { signals, quality: { score: 0.8, limitedBy: 'size' } } as unknown as FaceAnalysis;
    if (isAttending(face, DEFAULT_CONFIG.signals)) flags++;
    if (detector.push(i * 100, signals.mouthOpening)) flags++;
  }
  const us = ((performance.now() - t0) / FACES) * 1000;
  console.log(`pass ${pass}: ${us.toFixed(1)} µs per face (landmarks, signals, attending, speaking; ${flags} flags)`);
}

/**
 * The page side of `npm run bench:signals-images`: a plain script injected into the inference
 * harness page (test/fixtures/inference-harness.html) that draws degraded copies of an image
 * with canvas 2D (nothing derived is written to disk) and runs them through the harness's
 * analyzer (`harness.analyzer().analyse(tiles, 'independent')`) and human's own detect.
 * Kept as a string so no bundler helper reaches the page (Playwright serialises functions).
 */

/** One degraded copy: its kind and parameter (shrink factor, brightness factor, blur sigma px, rotation degrees clockwise). */
export interface Variant {
  kind: 'orig' | 'shrink' | 'dark' | 'blur' | 'rotate';
  value: number;
}

/** What the page gives back for one copy: null when no face was found. */
export interface PageFace {
  /** Predicted class (argmax of the probabilities). */
  pred: string;
  /** Face box side, px of the canvas. */
  sidePx: number;
  /** Quality as the page computed it with the shipped QUALITY_RAMPS. */
  score: number;
  limitedBy: string;
  /** Mean gray 0..255 and Laplacian variance of the 48 px crop. */
  brightness: number;
  sharpness: number;
  /** Measured pose, degrees (face-signals.ts conventions); null without landmarks. */
  pose: { yaw: number; pitch: number; roll: number } | null;
}

/** What the page gives back for one image: a face (or null) per variant, and human's yaw of the original (radians, human's sign) when asked. */
export interface PageImageResult {
  faces: (PageFace | null)[];
  humanYaw: number | null;
}

/**
 * The script. It defines `window.signalsBench` with:
 * - `analyseImage(url, fer, variants, withHuman)`: loads `url`; FER crops (`fer`) are drawn x3
 *   in the middle of a 256x256 mid-gray canvas, other images at their own size; each variant is
 *   drawn on a canvas of that size and all are analysed in one `analyse` call. -> PageImageResult.
 * - `analyseFrames(url, times)`: frames of a clip (640x360, via harness.loadFrames), each
 *   analysed and passed to human.detect. -> { time s, ours: yaw deg | null, human: yaw rad | null, face: PageFace | null }[].
 */
export const SIGNALS_PAGE_SCRIPT = String.raw`
(() => {
  const GRAY = 'rgb(128,128,128)';
  const mk = (w, h) => { const c = document.createElement('canvas'); c.width = w; c.height = h; return c; };
  const load = async (url) => { const img = new Image(); img.src = url; await img.decode(); return img; };
  const base = (img, fer) => {
    if (fer) {
      const c = mk(256, 256); const x = c.getContext('2d');
      x.fillStyle = GRAY; x.fillRect(0, 0, 256, 256); x.drawImage(img, 56, 56, 144, 144);
      return c;
    }
    const c = mk(img.naturalWidth, img.naturalHeight); c.getContext('2d').drawImage(img, 0, 0);
    return c;
  };
  const variant = (src, v) => {
    const w = src.width, h = src.height, c = mk(w, h), x = c.getContext('2d', { willReadFrequently: v.kind === 'dark' });
    x.fillStyle = GRAY; x.fillRect(0, 0, w, h);
    if (v.kind === 'shrink') x.drawImage(src, (w - w * v.value) / 2, (h - h * v.value) / 2, w * v.value, h * v.value);
    else if (v.kind === 'blur') { x.filter = 'blur(' + v.value + 'px)'; x.drawImage(src, 0, 0); x.filter = 'none'; }
    else if (v.kind === 'rotate') { x.translate(w / 2, h / 2); x.rotate((v.value * Math.PI) / 180); x.drawImage(src, -w / 2, -h / 2); x.setTransform(1, 0, 0, 1, 0, 0); }
    else {
      x.drawImage(src, 0, 0);
      if (v.kind === 'dark') {
        const d = x.getImageData(0, 0, w, h), a = d.data;
        for (let i = 0; i < a.length; i += 4) { a[i] *= v.value; a[i + 1] *= v.value; a[i + 2] *= v.value; }
        x.putImageData(d, 0, 0);
      }
    }
    return c;
  };
  const summary = (f) => {
    if (!f) return null;
    let pred = '', best = -1;
    for (const k of Object.keys(f.probabilities)) if (f.probabilities[k] > best) { best = f.probabilities[k]; pred = k; }
    const q = f.quality;
    return { pred, sidePx: q.sidePx, score: q.score, limitedBy: q.limitedBy, brightness: q.brightness, sharpness: q.sharpness, pose: f.signals ? f.signals.pose : null };
  };
  const humanYaw = async (analyzer, canvas) => {
    const r = await analyzer.human.detect(canvas);
    const faces = (r.face || []).filter((f) => f.rotation);
    faces.sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3]);
    return faces.length ? faces[0].rotation.angle.yaw : null;
  };
  window.signalsBench = {
    async analyseImage(url, fer, variants, withHuman) {
      const analyzer = window.harness.analyzer();
      const src = base(await load(url), fer);
      const canvases = variants.map((v) => variant(src, v));
      const { tiles } = await analyzer.analyse(canvases.map((c, i) => ({ key: String(i), image: c, width: c.width, height: c.height })), 'independent');
      return { faces: tiles.map((t) => summary(t.face)), humanYaw: withHuman ? await humanYaw(analyzer, canvases[0]) : null };
    },
    async analyseFrames(url, times) {
      const analyzer = window.harness.analyzer();
      const specs = times.map((time) => ({ url, time }));
      await window.harness.loadFrames(specs);
      const out = [];
      for (const spec of specs) {
        const c = window.harness.frameCanvas(spec);
        const { tiles } = await analyzer.analyse([{ key: 'frame', image: c, width: c.width, height: c.height }], 'independent');
        const f = tiles[0].face;
        out.push({ time: spec.time, ours: f && f.signals ? f.signals.pose.yaw : null, human: await humanYaw(analyzer, c), face: summary(f) });
      }
      return out;
    },
  };
})();
`;

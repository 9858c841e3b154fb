/**
 * Page-side code of `npm run bench:signals-clips`, injected as a plain script into the
 * inference harness page (test/fixtures/inference-harness.html, which exposes the extension's
 * own analyzer as `harness.analyzer()`). Kept as source text so nothing of it is transpiled
 * or renamed on its way into the page. It defines `window.clipSignals`:
 *
 * - `play(url, key, fps)`: the clip sampled at `fps` frames per second of video time
 *   (t = 0, 1/fps, ... before its end). Each time is reached by seeking and waiting for that
 *   frame to be presented (requestVideoFrameCallback), drawn onto a 640x360 canvas and
 *   analysed as one full-frame tile with `analyse(tiles, 'track', t ms)`, so the run is
 *   deterministic and independent of the machine's speed.
 * - `still(url, atS, key, seconds, fps, seed)`: frames of the clip shown for `seconds` at
 *   `fps`, each drawn with a small deterministic jitter (shift up to +-2 px, scale within
 *   +-1%, brightness within +-2%, from `seed`). With one time in `atS` (s): a face that
 *   cannot move its mouth, whose pictures still differ enough (the brightness step exceeds
 *   the frozen-tile threshold) to be analysed afresh each frame. With two: they alternate 2
 *   frames of the first, 1 of the second (a mouth opening and closing about 3 times a second).
 * - `strip(url, times, crop, cellW)`: a PNG data URL of the frames at `times` (s), each cut
 *   to `crop` (x, y, width, height in 640x360 px) and laid out 10 a row, `cellW` px wide:
 *   for labelling by eye.
 *
 * `play` and `still` return one entry per frame: `{ t, tile, signalsMs }`, t in ms from the
 * span's start, `tile` the TileAnalysis of the frame less its `faces` list (its `face` kept)
 * and `signalsMs` the analysis's `timing.signalsMs` (quality measurements, one batch).
 * Errors (a clip that cannot load, a frame never presented within 5 s) reject the promise.
 */
export const CLIP_PAGE_SCRIPT = String.raw`
(() => {
  const W = 640, H = 360;
  const videos = new Map();
  async function load(url) {
    if (videos.has(url)) return videos.get(url);
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'auto';
    video.src = url;
    await new Promise((ok, fail) => {
      video.onloadeddata = ok;
      video.onerror = () => fail(new Error('cannot load ' + url));
    });
    videos.set(url, video);
    return video;
  }
  function seek(video, time, url) {
    // Already there: no new frame would be presented.
    if (!video.seeking && Math.abs(video.currentTime - time) < 1e-6 && video.readyState >= 2) return Promise.resolve();
    const presented = new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(url + ': no frame presented after seeking to ' + time + ' s')), 5000);
      const onFrame = (_now, meta) => {
        if (Math.abs(meta.mediaTime - time) < 0.1) { clearTimeout(timer); ok(); }
        else video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    });
    video.currentTime = time;
    return presented;
  }
  function canvas() {
    const c = document.createElement('canvas');
    c.width = W;
    c.height = H;
    return c;
  }
  async function analyse(c, key, t) {
    const r = await window.harness.analyzer().analyse([{ key, image: c, width: W, height: H }], 'track', t);
    const tile = r.tiles[0];
    const { faces, ...rest } = tile;
    return { t, tile: rest, signalsMs: r.timing.signalsMs };
  }
  function rng(seed) {
    let s = seed >>> 0 || 1;
    return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  }
  window.clipSignals = {
    async play(url, key, fps) {
      const video = await load(url);
      const c = canvas();
      const ctx = c.getContext('2d');
      const out = [];
      for (let i = 0; i / fps < video.duration - 0.02; i++) {
        const time = Math.round((i * 1000) / fps) / 1000;
        await seek(video, time, url);
        ctx.drawImage(video, 0, 0, W, H);
        out.push(await analyse(c, key, Math.round(time * 1000)));
      }
      return out;
    },
    async still(url, atS, key, seconds, fps, seed) {
      const video = await load(url);
      const bases = [];
      for (const at of atS) {
        await seek(video, at, url);
        const b = canvas();
        b.getContext('2d').drawImage(video, 0, 0, W, H);
        bases.push(b);
      }
      const c = canvas();
      const ctx = c.getContext('2d');
      const rand = rng(seed);
      const out = [];
      for (let i = 0; i < seconds * fps; i++) {
        const dx = (rand() - 0.5) * 4, dy = (rand() - 0.5) * 4, s = 1 + (rand() - 0.5) * 0.02;
        const b = 1 + (i % 2 ? 1 : -1) * (0.01 + rand() * 0.01);
        ctx.filter = 'none';
        ctx.fillStyle = '#000';
        ctx.fillRect(0, 0, W, H);
        ctx.filter = 'brightness(' + b + ')';
        const base = bases.length > 1 && i % 3 === 2 ? bases[1] : bases[0];
        ctx.drawImage(base, W / 2 - (W * s) / 2 + dx, H / 2 - (H * s) / 2 + dy, W * s, H * s);
        out.push(await analyse(c, key, Math.round((i * 1000) / fps)));
      }
      return out;
    },
    async strip(url, times, crop, cellW) {
      const video = await load(url);
      const cellH = Math.round((cellW * crop.height) / crop.width);
      const cols = 10;
      const c = document.createElement('canvas');
      c.width = cols * cellW;
      c.height = Math.ceil(times.length / cols) * cellH;
      const ctx = c.getContext('2d');
      const full = canvas();
      for (let k = 0; k < times.length; k++) {
        await seek(video, times[k], url);
        full.getContext('2d').drawImage(video, 0, 0, W, H);
        ctx.drawImage(full, crop.x, crop.y, crop.width, crop.height, (k % cols) * cellW, Math.floor(k / cols) * cellH, cellW, cellH);
      }
      return c.toDataURL('image/png');
    },
  };
})();
`;

/**
 * The generated negative set of `npm run bench:detect`: call-tile-sized pictures with no face
 * in them, drawn on a canvas from a seeded RNG, so every run (and every reader) gets the same
 * pixels from this code alone. Eight kinds: noise, gradients, wood, marble, checkerboards,
 * words, cartoon titles over a sky, UI-like screenshots. Our own generated images, under the
 * project's licence (MIT); nothing in them comes from outside this file.
 */

/** The kinds of negative picture, in the order `negativeSpec` cycles through them. */
export const NEGATIVE_KINDS = ['noise', 'gradient', 'wood', 'marble', 'checker', 'words', 'title', 'ui'] as const;
export type NegativeKind = (typeof NEGATIVE_KINDS)[number];

/** Tile sizes the set alternates between, px (a 16:9 call tile and a 4:3 small one). */
export const NEGATIVE_SIZES = [
  { width: 640, height: 360 },
  { width: 320, height: 240 },
] as const;

/** One picture of the set: its index, kind, size and seed. */
export interface NegativeSpec {
  index: number;
  kind: NegativeKind;
  width: number;
  height: number;
  seed: number;
}

/**
 * Mulberry32 (Tommy Ettinger's 32-bit generator): a deterministic RNG from a 32-bit seed.
 * @returns a function giving floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picture `index` of the set: kind = index mod 8, size alternating every 8, seed from the index. Pure. */
export function negativeSpec(index: number): NegativeSpec {
  const kind = NEGATIVE_KINDS[index % NEGATIVE_KINDS.length]!;
  const size = NEGATIVE_SIZES[Math.floor(index / NEGATIVE_KINDS.length) % NEGATIVE_SIZES.length]!;
  return { index, kind, ...size, seed: (Math.imul(index + 1, 0x9e3779b1) ^ 0x5eed) >>> 0 };
}

type Rng = () => number;
type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const hsl = (h: number, s: number, l: number): string => `hsl(${h.toFixed(0)} ${s.toFixed(0)}% ${l.toFixed(0)}%)`;
const randomColor = (rng: Rng): string => hsl(between(rng, 0, 360), between(rng, 20, 100), between(rng, 10, 90));

/** Seeded 2-D value noise with smooth interpolation, in [0, 1]; fbm sums `octaves` of it. */
function valueNoise(rng: Rng): (x: number, y: number, octaves?: number) => number {
  const N = 256;
  const table = new Float32Array(N * N).map(() => rng());
  const at = (i: number, j: number): number => table[(((j % N) + N) % N) * N + (((i % N) + N) % N)]!;
  const smooth = (t: number): number => t * t * (3 - 2 * t);
  const one = (x: number, y: number): number => {
    const i = Math.floor(x);
    const j = Math.floor(y);
    const fx = smooth(x - i);
    const fy = smooth(y - j);
    const a = at(i, j) + (at(i + 1, j) - at(i, j)) * fx;
    const b = at(i, j + 1) + (at(i + 1, j + 1) - at(i, j + 1)) * fx;
    return a + (b - a) * fy;
  };
  return (x, y, octaves = 4) => {
    let sum = 0;
    let amp = 0.5;
    let norm = 0;
    for (let o = 0; o < octaves; o++) {
      sum += amp * one(x * 2 ** o, y * 2 ** o);
      norm += amp;
      amp /= 2;
    }
    return sum / norm;
  };
}

/** Fills the canvas pixel by pixel from `shade(x, y)` -> [r, g, b] (0..255). */
function paint(ctx: Ctx, width: number, height: number, shade: (x: number, y: number) => [number, number, number]): void {
  const img = ctx.createImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = shade(x, y);
      const k = (y * width + x) * 4;
      img.data[k] = r;
      img.data[k + 1] = g;
      img.data[k + 2] = b;
      img.data[k + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

function noise(ctx: Ctx, w: number, h: number, rng: Rng): void {
  const gray = rng() < 0.5;
  const block = pick(rng, [1, 1, 2, 4, 8]);
  const cells = new Map<number, [number, number, number]>();
  paint(ctx, w, h, (x, y) => {
    const key = Math.floor(y / block) * 10_000 + Math.floor(x / block);
    let c = cells.get(key);
    if (!c) {
      const v = rng() * 255;
      c = gray ? [v, v, v] : [rng() * 255, rng() * 255, rng() * 255];
      cells.set(key, c);
    }
    return c;
  });
}

function gradient(ctx: Ctx, w: number, h: number, rng: Rng): void {
  const g = rng() < 0.5 ? ctx.createLinearGradient(between(rng, 0, w), between(rng, 0, h), between(rng, 0, w), between(rng, 0, h)) : ctx.createRadialGradient(between(rng, 0, w), between(rng, 0, h), 0, between(rng, 0, w), between(rng, 0, h), between(rng, w / 4, w));
  const stops = 2 + Math.floor(rng() * 3);
  for (let i = 0; i < stops; i++) g.addColorStop(i / (stops - 1), randomColor(rng));
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
}

function wood(ctx: Ctx, w: number, h: number, rng: Rng): void {
  const n = valueNoise(rng);
  const cx = between(rng, -w, 2 * w);
  const cy = between(rng, -h, 2 * h);
  const rings = between(rng, 0.03, 0.12);
  const warp = between(rng, 2, 8);
  const scale = between(rng, 0.005, 0.03);
  const [r0, g0, b0] = [between(rng, 90, 160), between(rng, 50, 100), between(rng, 20, 50)];
  paint(ctx, w, h, (x, y) => {
    const d = Math.hypot(x - cx, (y - cy) * between(rng, 0.98, 1.02)) * rings + warp * n(x * scale, y * scale);
    const t = 0.6 + 0.4 * Math.abs(Math.sin(d));
    return [r0 * t + 40 * (1 - t), g0 * t, b0 * t];
  });
}

function marble(ctx: Ctx, w: number, h: number, rng: Rng): void {
  const n = valueNoise(rng);
  const fx = between(rng, 0.005, 0.03);
  const fy = between(rng, 0.0, 0.02);
  const turb = between(rng, 4, 12);
  const scale = between(rng, 0.005, 0.02);
  const tint = [between(rng, 0.8, 1), between(rng, 0.8, 1), between(rng, 0.8, 1)];
  paint(ctx, w, h, (x, y) => {
    const v = Math.abs(Math.sin(x * fx + y * fy + turb * n(x * scale, y * scale, 5)));
    const l = 255 * (0.35 + 0.65 * Math.sqrt(v));
    return [l * tint[0]!, l * tint[1]!, l * tint[2]!];
  });
}

function checker(ctx: Ctx, w: number, h: number, rng: Rng): void {
  const cell = between(rng, 6, 80);
  const a = randomColor(rng);
  const b = randomColor(rng);
  ctx.fillStyle = a;
  ctx.fillRect(0, 0, w, h);
  ctx.save();
  ctx.translate(w / 2, h / 2);
  ctx.rotate(rng() < 0.5 ? 0 : between(rng, -0.8, 0.8));
  ctx.fillStyle = b;
  const span = Math.hypot(w, h);
  for (let y = -span; y < span; y += cell) for (let x = -span; x < span; x += cell) if ((Math.round(x / cell) + Math.round(y / cell)) % 2 === 0) ctx.fillRect(x, y, cell, cell);
  ctx.restore();
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'to', 'sa', 'vu', 'gel', 'dor', 'pi', 'an', 'el', 'um', 'bri', 'sto', 'fa', 'ne', 'ox', 'qui', 'zo', 'ly', 'mar', 'tek', 'ho'];
const FONTS = ['serif', 'sans-serif', 'monospace', 'cursive', 'fantasy', 'Georgia', 'Verdana', 'Impact', 'Courier New', 'Times New Roman'];

/** A made-up word of 1-4 syllables, capitalised at random. */
function word(rng: Rng): string {
  const s = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => pick(rng, SYLLABLES)).join('');
  const r = rng();
  return r < 0.3 ? s.toUpperCase() : r < 0.6 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function words(ctx: Ctx, w: number, h: number, rng: Rng): void {
  ctx.fillStyle = randomColor(rng);
  ctx.fillRect(0, 0, w, h);
  const count = 3 + Math.floor(rng() * 25);
  for (let i = 0; i < count; i++) {
    const size = Math.round(between(rng, 10, h / 3));
    ctx.font = `${pick(rng, ['', 'bold ', 'italic ', 'bold italic '])}${size}px ${pick(rng, FONTS)}`;
    const text = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => word(rng)).join(' ');
    const x = between(rng, -w / 4, w * 0.9);
    const y = between(rng, size, h + size / 2);
    if (rng() < 0.4) {
      ctx.lineWidth = between(rng, 1, size / 6);
      ctx.strokeStyle = randomColor(rng);
      ctx.strokeText(text, x, y);
    }
    ctx.fillStyle = randomColor(rng);
    ctx.fillText(text, x, y);
  }
}

function title(ctx: Ctx, w: number, h: number, rng: Rng): void {
  const sky = ctx.createLinearGradient(0, 0, 0, h);
  const hue = between(rng, 190, 230);
  sky.addColorStop(0, hsl(hue, between(rng, 50, 90), between(rng, 35, 55)));
  sky.addColorStop(1, hsl(hue + between(rng, -20, 20), between(rng, 30, 80), between(rng, 70, 92)));
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, w, h);
  // Clouds: clusters of soft white ellipses.
  const clouds = Math.floor(rng() * 6);
  for (let c = 0; c < clouds; c++) {
    const cx = between(rng, 0, w);
    const cy = between(rng, 0, h);
    const r = between(rng, h / 20, h / 5);
    ctx.fillStyle = `rgba(255,255,255,${between(rng, 0.5, 0.95).toFixed(2)})`;
    for (let k = 0; k < 5; k++) {
      ctx.beginPath();
      ctx.ellipse(cx + between(rng, -2, 2) * r, cy + between(rng, -0.5, 0.5) * r, r * between(rng, 0.8, 1.6), r * between(rng, 0.6, 1), 0, 0, Math.PI * 2);
      ctx.fill();
    }
  }
  const lines = 1 + Math.floor(rng() * 3);
  ctx.save();
  ctx.translate(w / 2 + between(rng, -w / 8, w / 8), h / 2 + between(rng, -h / 8, h / 8));
  ctx.rotate(between(rng, -0.25, 0.25));
  ctx.textAlign = 'center';
  for (let l = 0; l < lines; l++) {
    const size = Math.round(between(rng, h / 8, h / 3.2));
    ctx.font = `bold ${size}px ${pick(rng, ['Impact', 'fantasy', 'sans-serif', 'cursive', 'Arial Black', 'serif'])}`;
    const text = Array.from({ length: 1 + Math.floor(rng() * 2) }, () => word(rng)).join(' ').toUpperCase();
    const y = (l - (lines - 1) / 2) * size * 1.1 + size / 3;
    ctx.lineJoin = 'round';
    ctx.shadowColor = 'rgba(0,0,0,0.4)';
    ctx.shadowBlur = between(rng, 0, 12);
    ctx.shadowOffsetX = ctx.shadowOffsetY = between(rng, 0, 6);
    ctx.lineWidth = between(rng, size / 12, size / 5);
    ctx.strokeStyle = hsl(between(rng, 0, 360), 80, between(rng, 10, 40));
    ctx.strokeText(text, 0, y);
    ctx.shadowColor = 'transparent';
    const fill = ctx.createLinearGradient(0, y - size, 0, y);
    fill.addColorStop(0, hsl(between(rng, 0, 60), 100, between(rng, 60, 80)));
    fill.addColorStop(1, hsl(between(rng, 0, 360), 100, between(rng, 45, 60)));
    ctx.fillStyle = fill;
    ctx.fillText(text, 0, y);
  }
  ctx.restore();
}

function ui(ctx: Ctx, w: number, h: number, rng: Rng): void {
  const dark = rng() < 0.4;
  ctx.fillStyle = dark ? hsl(220, 10, between(rng, 8, 20)) : hsl(220, 10, between(rng, 92, 99));
  ctx.fillRect(0, 0, w, h);
  const ink = dark ? '#ddd' : '#333';
  const accent = hsl(between(rng, 0, 360), 70, 50);
  const bar = between(rng, h / 14, h / 8);
  ctx.fillStyle = dark ? '#2a2d33' : '#e4e6ea';
  ctx.fillRect(0, 0, w, bar);
  // Window buttons, tabs and a search box.
  for (let i = 0; i < 3; i++) {
    ctx.fillStyle = ['#ff5f57', '#febc2e', '#28c840'][i]!;
    ctx.beginPath();
    ctx.arc(bar * 0.5 + i * bar * 0.6, bar / 2, bar / 6, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.fillStyle = dark ? '#3a3e46' : '#fff';
  ctx.fillRect(w * 0.3, bar * 0.2, w * 0.4, bar * 0.6);
  // A sidebar of items with icons, then content: headings, text lines, buttons, cards.
  const side = rng() < 0.6 ? between(rng, w / 8, w / 4) : 0;
  const lineH = between(rng, 10, 20);
  ctx.font = `${Math.round(lineH * 0.7)}px ${pick(rng, ['sans-serif', 'Verdana', 'monospace'])}`;
  for (let y = bar + lineH; side && y < h; y += lineH * 1.6) {
    ctx.fillStyle = accent;
    ctx.fillRect(lineH * 0.4, y - lineH * 0.6, lineH * 0.7, lineH * 0.7);
    ctx.fillStyle = ink;
    ctx.fillText(word(rng), lineH * 1.4, y);
  }
  let y = bar + lineH * 1.5;
  while (y < h) {
    const r = rng();
    if (r < 0.2) {
      ctx.fillStyle = accent;
      const bw = between(rng, 50, 140);
      ctx.beginPath();
      ctx.roundRect(side + lineH, y - lineH, bw, lineH * 1.4, lineH / 3);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.fillText(word(rng), side + lineH * 1.5, y);
      y += lineH * 2;
    } else if (r < 0.35) {
      ctx.strokeStyle = dark ? '#555' : '#ccc';
      ctx.lineWidth = 1;
      const cw = (w - side - lineH * 3) / 2;
      for (let k = 0; k < 2; k++) {
        ctx.strokeRect(side + lineH + k * (cw + lineH), y - lineH, cw, lineH * 3);
        ctx.fillStyle = ink;
        ctx.fillText(`${word(rng)} ${Math.floor(rng() * 1000)}`, side + lineH * 1.5 + k * (cw + lineH), y + lineH * 0.5);
      }
      y += lineH * 4;
    } else {
      ctx.fillStyle = ink;
      ctx.fillText(Array.from({ length: 3 + Math.floor(rng() * 8) }, () => word(rng)).join(' '), side + lineH, y);
      y += lineH * 1.4;
    }
  }
}

const DRAW: Record<NegativeKind, (ctx: Ctx, w: number, h: number, rng: Rng) => void> = { noise, gradient, wood, marble, checker, words, title, ui };

/** Draws picture `spec` on `ctx` (a canvas of spec.width x spec.height); the same spec gives the same pixels in one browser build. */
export function drawNegative(ctx: Ctx, spec: NegativeSpec): void {
  ctx.save();
  DRAW[spec.kind](ctx, spec.width, spec.height, mulberry32(spec.seed));
  ctx.restore();
}

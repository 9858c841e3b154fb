import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropFrame, EYE_CORNERS, eyeCentres, FER_EYES, transformRow } from '../../src/inference/alignment.ts';

/** 468 landmarks, all at (0, 0), with the two eyes' corners placed around the given centres (half-width 5 px). */
function face(first: { x: number; y: number }, second: { x: number; y: number }): Float32Array {
  const p = new Float32Array(468 * 3);
  const put = (k: number, x: number, y: number) => {
    p[k * 3] = x;
    p[k * 3 + 1] = y;
  };
  put(EYE_CORNERS.first[0], first.x - 5, first.y);
  put(EYE_CORNERS.first[1], first.x + 5, first.y);
  put(EYE_CORNERS.second[0], second.x - 5, second.y);
  put(EYE_CORNERS.second[1], second.x + 5, second.y);
  return p;
}

/** Where output pixel (u, v) of a transform row samples the tile. */
function sample(row: number[], u: number, v: number): { x: number; y: number } {
  return { x: row[0]! * u + row[1]! * v + row[2]!, y: row[3]! * u + row[4]! * v + row[5]! };
}

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('eye centres are the means of each eye\'s two corner landmarks; coincident or non-finite eyes give null', () => {
  const c = eyeCentres(face({ x: 40, y: 50 }, { x: 80, y: 54 }))!;
  assert.deepEqual(c, { first: { x: 40, y: 50 }, second: { x: 80, y: 54 } });
  assert.equal(eyeCentres(face({ x: 40, y: 50 }, { x: 40, y: 50 })), null);
  const bad = face({ x: 40, y: 50 }, { x: 80, y: 54 });
  bad[EYE_CORNERS.second[0] * 3] = NaN;
  assert.equal(eyeCentres(bad), null);
});

test("mode 'none' and a face without landmarks keep the box; 'roll' keeps its centre and side and levels the eye line", () => {
  const box = { x: 10, y: 20, width: 100, height: 100 };
  const plain = { cx: 60, cy: 70, side: 100, angle: 0 };
  const eyes = face({ x: 40, y: 50 }, { x: 80, y: 90 }); // eye line at 45 degrees
  assert.deepEqual(cropFrame(box, eyes, 'none'), plain);
  assert.deepEqual(cropFrame(box, null, 'roll'), plain);
  const roll = cropFrame(box, eyes, 'roll');
  assert.deepEqual({ ...roll, angle: 0 }, plain);
  close(roll.angle, Math.PI / 4);
  // A fit whose eyes came out swapped (second on the left) is levelled, not turned upside down.
  close(cropFrame(box, face({ x: 80, y: 90 }, { x: 40, y: 50 }), 'roll').angle, Math.PI / 4);
});

test("mode 'fer' puts the eyes where FER-2013's crops have them, at any roll", () => {
  for (const deg of [0, 20, -35]) {
    const a = (deg * Math.PI) / 180;
    const first = { x: 100, y: 100 };
    const second = { x: 100 + 60 * Math.cos(a), y: 100 + 60 * Math.sin(a) };
    const frame = cropFrame({ x: 0, y: 0, width: 10, height: 10 }, face(first, second), 'fer');
    close(frame.side, 60 / FER_EYES.distance, 1e-4);
    close(frame.angle, a, 1e-6);
    const out = 48;
    const row = transformRow(frame, out);
    // The crop pixels where FER's eye centres lie sample the face's eye centres.
    const halfGap = (FER_EYES.distance * out) / 2;
    const at = (u: number) => sample(row, u - 0.5, FER_EYES.midY * out - 0.5);
    const left = at(FER_EYES.midX * out - halfGap);
    const right = at(FER_EYES.midX * out + halfGap);
    close(left.x + 0.5, first.x, 1e-4);
    close(left.y + 0.5, first.y, 1e-4);
    close(right.x + 0.5, second.x, 1e-4);
    close(right.y + 0.5, second.y, 1e-4);
  }
});

test('transformRow: an unrotated frame samples the box edge to edge at pixel centres', () => {
  const row = transformRow({ cx: 50, cy: 30, side: 40, angle: 0 }, 4);
  // 4 output pixels over 40 tile px: pixel centres at 5, 15, 25, 35 px from the box's left edge (30).
  assert.deepEqual(
    [0, 1, 2, 3].map((u) => sample(row, u, 0).x + 0.5),
    [35, 45, 55, 65],
  );
  close(sample(row, 0, 0).y + 0.5, 15);
  assert.deepEqual(row.slice(6), [0, 0]);
});

/**
 * Turns a folder of class folders (`<dir>/<class>/<image>`, the layout of FER-2013's train
 * folder, CK+48, JAFFE sorted by class, RAF-DB's and AffectNet's class-sorted copies) into the
 * labels.csv that `npm run eval` reads. Folder names are matched to our 7 classes through the
 * common spellings of the field (anger, sadness, happiness, surprised, fearful, ...); folders
 * of other classes (contempt) are skipped and counted.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { EMOTIONS, type Emotion } from '../../src/shared/emotions.ts';

/** Other names data sets give our classes, lower-case, mapped to our class names. */
const ALIASES: Record<string, Emotion> = {
  anger: 'angry',
  angry: 'angry',
  disgust: 'disgust',
  disgusted: 'disgust',
  fear: 'fear',
  fearful: 'fear',
  scared: 'fear',
  happy: 'happy',
  happiness: 'happy',
  joy: 'happy',
  sad: 'sad',
  sadness: 'sad',
  surprise: 'surprise',
  surprised: 'surprise',
  neutral: 'neutral',
};

/**
 * Our class for a folder name (case and surrounding spaces ignored; a leading number and
 * separator such as "1_anger" or "3 - fear" is allowed), or null for a class we do not
 * report (contempt) or an unknown name.
 */
export function classForFolder(name: string): Emotion | null {
  const key = name.trim().toLowerCase().replace(/^\d+\s*[-_. ]\s*/, '');
  return ALIASES[key] ?? null;
}

/** The files treated as images, by extension. */
const IMAGE = /\.(jpe?g|png)$/i;

/** What `writeLabelsFromFolders` found. */
export interface ClassFoldersResult {
  /** Rows written: path relative to `dir` (forward slashes) and our class name. */
  rows: { path: string; label: Emotion }[];
  /** Images per class written, in EMOTIONS order. */
  counts: Record<Emotion, number>;
  /** Folders skipped, with how many images each held. */
  skipped: { folder: string; images: number }[];
}

/**
 * Lists `<dir>/<class>/<image>` (JPEG or PNG; sorted by name) and writes `<dir>/labels.csv`
 * (columns path,label, through papaparse).
 * @throws Error when no folder of `dir` maps to one of our classes.
 */
export async function writeLabelsFromFolders(dir: string): Promise<ClassFoldersResult> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name));
  const counts = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  const rows: ClassFoldersResult['rows'] = [];
  const skipped: ClassFoldersResult['skipped'] = [];
  for (const entry of entries) {
    const files = (await readdir(join(dir, entry.name))).filter((f) => IMAGE.test(f)).sort();
    const label = classForFolder(entry.name);
    if (!label) {
      skipped.push({ folder: entry.name, images: files.length });
      continue;
    }
    for (const f of files) rows.push({ path: `${entry.name}/${f}`, label });
    counts[label] += files.length;
  }
  if (rows.length === 0) {
    throw new Error(`${dir}: no class folder of ours found (folders: ${entries.map((e) => e.name).join(', ') || 'none'})`);
  }
  await writeFile(join(dir, 'labels.csv'), Papa.unparse(rows, { columns: ['path', 'label'], newline: '\n' }) + '\n');
  return { rows, counts, skipped };
}

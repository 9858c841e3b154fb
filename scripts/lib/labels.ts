/**
 * Reads and checks a labelled image set for `npm run eval`: a folder with a `labels.csv`
 * (columns `path` and `label`, others ignored) and the images it names. Every problem is
 * collected and reported at once, so a user can fix the whole file in one go.
 */
import { open, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep, win32 } from 'node:path';
import Papa from 'papaparse';
import { EMOTIONS, isEmotion, type Emotion } from '../../src/shared/emotions.ts';

/** One image of the set. */
export interface LabelledImage {
  /** 1-based data row number in labels.csv (header and skipped blank lines excluded). */
  row: number;
  /** 1-based line number in labels.csv where the row starts (header is line 1 when first). */
  line: number;
  /** The path as written in labels.csv, relative to the set's folder. */
  path: string;
  /** Absolute path of the image: the set's folder joined with the normalised `path`. */
  absPath: string;
  /** The true class (the CSV text trimmed and lower-cased). */
  label: Emotion;
}

/** A checked set: `dir` is the absolute folder; `items` are in labels.csv order. */
export interface LabelledSet {
  dir: string;
  items: LabelledImage[];
}

/** How many problems a LabelsError's message lists before "and N more". */
const SHOWN_PROBLEMS = 10;

/** Files checked at once (keeps large sets such as FER-2013's 35 887 images under the fd limit). */
const CONCURRENCY = 32;

/** Thrown by `readLabelledSet` with every problem found; `problems` holds one line each. */
export class LabelsError extends Error {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `  ${p}`);
    if (problems.length > SHOWN_PROBLEMS) shown.push(`  ... and ${problems.length - SHOWN_PROBLEMS} more`);
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${shown.join('\n')}`);
    this.name = 'LabelsError';
    this.problems = problems;
  }
}

/** The image formats accepted, by their leading bytes. */
const MAGIC: { name: string; bytes: number[] }[] = [
  { name: 'JPEG', bytes: [0xff, 0xd8, 0xff] },
  { name: 'PNG', bytes: [0x89, 0x50, 0x4e, 0x47] },
];
const MAGIC_LENGTH = Math.max(...MAGIC.map((m) => m.bytes.length));

/** A path quoted for a message, cut to 120 characters (an unterminated quote can swallow the file). */
function show(path: string): string {
  return JSON.stringify(path.length > 120 ? path.slice(0, 117) + '...' : path);
}

/** True when `child` is `parent` or inside it (both absolute and normalised). */
function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

/** A row as parsed, before the file checks. */
interface Row {
  row: number;
  line: number;
  path: string;
  label: string;
  /** CSV syntax errors of this row. */
  problems: string[];
}

/** A row during the checks; `checkFile` when it gets as far as the file system. */
interface Checked extends Row {
  /** The label trimmed and lower-cased; an Emotion once the row has no problems. */
  label: string;
  absPath: string;
  checkFile: boolean;
}

/** Checks one file; returns its real path, or the problem text. */
async function checkFile(absPath: string, realDir: string): Promise<{ real: string } | { problem: string }> {
  let real: string;
  try {
    real = await realpath(absPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'file not found' };
    if (code === 'EACCES') return { problem: 'file not readable (permission denied)' };
    return { problem: `cannot resolve the file (${code ?? String(e)})` };
  }
  if (!isInside(realDir, real)) return { problem: `goes through a symbolic link out of the data folder (to ${real})` };
  let handle;
  try {
    handle = await open(real, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'EACCES' ? 'file not readable (permission denied)' : `file cannot be opened (${code ?? String(e)})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { problem: 'not a regular file' };
    const head = Buffer.alloc(MAGIC_LENGTH);
    const { bytesRead } = await handle.read(head, 0, MAGIC_LENGTH, 0);
    const ok = MAGIC.some((m) => bytesRead >= m.bytes.length && m.bytes.every((b, i) => head[i] === b));
    if (!ok) {
      const hex = [...head.subarray(0, bytesRead)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      return { problem: `not a JPEG or PNG image (first bytes: ${hex || 'none, empty file'})` };
    }
    return { real };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'EISDIR' ? 'not a regular file' : `file cannot be read (${code ?? String(e)})` };
  } finally {
    await handle.close();
  }
}

/**
 * Reads `DIR/labels.csv` (parsed by papaparse; first non-blank row = header; required columns
 * `path` and `label`, matched trimmed and case-insensitively; other columns such as FER's
 * `fer2013_usage,sha1` ignored; blank lines skipped; a UTF-8 BOM allowed) and checks every row.
 *
 * Rejected, each reported as `row R (line L) "PATH": what is wrong`:
 * - CSV syntax errors (e.g. an unterminated quote), an empty path;
 * - an absolute path (POSIX or Windows), a path that leaves DIR once normalised (`..`), or one
 *   whose real path (after symbolic links) is outside DIR's real path;
 * - an unknown label (labels are trimmed and matched case-insensitively; the message lists
 *   the allowed ones);
 * - a file that is missing, not readable, not a regular file, or not a JPEG (FF D8 FF) or PNG
 *   (89 50 4E 47) by its first bytes (only those bytes are read);
 * - a duplicate: the same normalised path, or the same real file, as an earlier row.
 * A missing or unreadable labels.csv, missing columns, or no data rows are also reported.
 * A set may lack some classes.
 * @param dir the set's folder, absolute or relative to the working directory.
 * @returns the folder (absolute) and the images in CSV order.
 * @throws LabelsError listing every problem found (message: the first 10 and a count).
 */
export async function readLabelledSet(dir: string): Promise<LabelledSet> {
  const absDir = resolve(dir);
  const csvPath = join(absDir, 'labels.csv');
  let text: string;
  try {
    text = await readFile(csvPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not readable (permission denied)' : `cannot be read (${code ?? String(e)})`;
    throw new LabelsError(csvPath, [`labels.csv ${why}; expected a CSV with columns "path" and "label"`]);
  }
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1); // drop the BOM, keep offsets

  // Line where each row starts: papaparse's cursor is the offset just after the previous row;
  // skip the blank lines it passed over, then count newlines before that point.
  const lineAt = (() => {
    let offset = 0;
    let line = 1;
    return (to: number) => {
      for (; offset < to; offset++) if (text.charCodeAt(offset) === 10) line++;
      return line;
    };
  })();

  const problems: string[] = [];
  const rows: Row[] = [];
  let header: { path: number; label: number } | null = null;
  let headerDone = false;
  let cursor = 0;
  let dataRow = 0;
  Papa.parse<string[]>(text, {
    header: false,
    delimiter: ',',
    skipEmptyLines: 'greedy',
    step: (result) => {
      let start = cursor;
      while (start < text.length && /\s/.test(text[start]!)) start++;
      cursor = result.meta.cursor;
      const line = lineAt(start);
      const fields = result.data;
      if (!headerDone) {
        headerDone = true;
        const names = fields.map((f) => f.trim().toLowerCase());
        const path = names.indexOf('path');
        const label = names.indexOf('label');
        const missing = [path < 0 ? '"path"' : '', label < 0 ? '"label"' : ''].filter(Boolean);
        if (missing.length > 0) {
          problems.push(`header (line ${line}): missing column${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} (found: ${fields.map((f) => JSON.stringify(f)).join(', ')})`);
        } else header = { path, label };
        return;
      }
      dataRow++;
      if (!header) return;
      rows.push({
        row: dataRow,
        line,
        path: fields[header.path] ?? '',
        label: fields[header.label] ?? '',
        problems: result.errors.map((err) => `CSV error: ${err.message}`),
      });
    },
  });
  if (headerDone && header && dataRow === 0) problems.push('labels.csv has a header but no data rows');
  if (!headerDone) problems.push('labels.csv is empty; expected a header with columns "path" and "label"');
  if (!header) throw new LabelsError(csvPath, problems);

  let realDir: string;
  try {
    realDir = await realpath(absDir);
  } catch (e) {
    throw new LabelsError(csvPath, [`cannot resolve the data folder ${absDir}: ${(e as Error).message}`]);
  }

  // Syntax checks first (no I/O), then the file checks with bounded concurrency.
  const checked: Checked[] = [];
  const byNormal = new Map<string, Checked>();
  for (const r of rows) {
    const c: Checked = { ...r, absPath: '', label: r.label.trim().toLowerCase(), problems: [...r.problems], checkFile: false };
    checked.push(c);
    if (r.problems.length > 0) continue; // CSV syntax error: the fields cannot be trusted
    if (c.label === '') c.problems.push('missing label');
    else if (!isEmotion(c.label)) c.problems.push(`unknown label ${JSON.stringify(r.label)} (allowed: ${EMOTIONS.join(', ')})`);
    if (r.path.trim() === '') {
      c.problems.push('empty path');
      continue;
    }
    if (isAbsolute(r.path) || win32.isAbsolute(r.path)) {
      c.problems.push('absolute path; paths must be relative to the data folder');
      continue;
    }
    // Judge the text itself: 'a/../../set/x.png' leaves DIR even if DIR happens to be 'set'.
    const normal = normalize(r.path).replace(/[/\\]+$/, '');
    c.absPath = resolve(absDir, normal);
    if (normal === '.' || normal === '..' || normal.startsWith('..' + sep) || !isInside(absDir, c.absPath)) {
      c.problems.push('path leaves the data folder');
      continue;
    }
    const first = byNormal.get(normal);
    if (first) {
      c.problems.push(`duplicate of row ${first.row} (line ${first.line}) ${show(first.path)}`);
      continue;
    }
    byNormal.set(normal, c);
    c.checkFile = true;
  }

  const reals: (string | null)[] = new Array(checked.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < checked.length) {
      const i = next++;
      const c = checked[i]!;
      if (!c.checkFile) continue;
      const result = await checkFile(c.absPath, realDir);
      if ('problem' in result) c.problems.push(result.problem);
      else reals[i] = result.real;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, checked.length) }, worker));

  const byReal = new Map<string, Checked>();
  checked.forEach((c, i) => {
    const real = reals[i];
    if (!real) return;
    const first = byReal.get(real);
    if (first) c.problems.push(`duplicate: same file as row ${first.row} (line ${first.line}) ${show(first.path)}`);
    else byReal.set(real, c);
  });

  for (const c of checked) {
    for (const q of c.problems) problems.push(`row ${c.row} (line ${c.line}) ${show(c.path)}: ${q}`);
  }
  if (problems.length > 0) throw new LabelsError(csvPath, problems);
  return {
    dir: absDir,
    items: checked.map((c) => ({ row: c.row, line: c.line, path: c.path, absPath: c.absPath, label: c.label as Emotion })),
  };
}

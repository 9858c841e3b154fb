/** The meeting writer (meeting-writer.ts) bundled into one script for `page.evaluate`. */
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { GeneratedMeeting } from './meeting-writer.ts';

let script: Promise<string> | undefined;

/** The bundled writer, built once per process. */
export function meetingWriterScript(): Promise<string> {
  script ??= build({ entryPoints: [new URL('./meeting-writer.ts', import.meta.url).pathname], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' }).then((out) => out.outputFiles[0]!.text);
  return script;
}

/**
 * Writes generated meeting `g` through the extension's timeline store from `page`, which must be
 * a page of the extension (chrome-extension://<id>/…).
 * @returns the number of second records written.
 */
export async function writeGeneratedMeeting(page: Page, g: GeneratedMeeting): Promise<number> {
  await page.evaluate(await meetingWriterScript());
  return page.evaluate((m) => (globalThis as unknown as { __callmoodWriteMeeting(m: GeneratedMeeting): Promise<number> }).__callmoodWriteMeeting(m), g);
}

/**
 * Lifecycle of the one offscreen document (STYLE.md item 5): created on demand when
 * analysis starts, closed when it stops. Chrome allows one offscreen document per profile.
 */
const URL_PATH = 'offscreen.html';

let readyWaiters: (() => void)[] = [];
let creating: Promise<void> | null = null;

/** Called by the background when the offscreen document says it is listening. */
export function offscreenReady(): void {
  const waiters = readyWaiters;
  readyWaiters = [];
  waiters.forEach((w) => w());
}

/** True when the offscreen document exists. */
export async function hasOffscreenDocument(): Promise<boolean> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(URL_PATH)],
  });
  return contexts.length > 0;
}

/**
 * Creates the offscreen document if needed and waits until its message listener is up
 * (its `bg/offscreen-ready` message), so the first message cannot hit "Receiving end does
 * not exist".
 * @throws Error when creation fails or the document does not report ready within 10 s.
 */
export async function ensureOffscreenDocument(): Promise<void> {
  if (await hasOffscreenDocument()) return;
  creating ??= (async () => {
    const ready = new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('offscreen document did not become ready in 10 s')), 10_000);
      readyWaiters.push(() => {
        clearTimeout(timer);
        ok();
      });
    });
    await chrome.offscreen.createDocument({
      url: URL_PATH,
      reasons: [chrome.offscreen.Reason.USER_MEDIA],
      justification: 'Analyse the captured tab video (face detection and emotion recognition) on this computer.',
    });
    await ready;
  })().finally(() => {
    creating = null;
  });
  return creating;
}

/** Closes the offscreen document if it exists. */
export async function closeOffscreenDocument(): Promise<void> {
  if (await hasOffscreenDocument()) await chrome.offscreen.closeDocument();
}

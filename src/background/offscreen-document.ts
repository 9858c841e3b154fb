/**
 * The offscreen-document service: owns the lifetime of Chrome's one offscreen document per
 * profile. A user of the document holds it (`acquire`) and lets go (`release`); the document
 * is created on the first hold and closed when nothing holds it (as Bitwarden's
 * OffscreenDocumentService does). Holds live in the service worker's memory: after the worker
 * restarts, an existing document is adopted by the next hold, and `release` of a holder the
 * worker no longer knows still closes a document nothing holds.
 */

/** What the service needs from Chrome (chrome.offscreen / chrome.runtime); tests pass their own. */
export interface OffscreenApi {
  /** Whether the document exists now. */
  exists(): Promise<boolean>;
  /** Creates the document. @throws Error from Chrome. */
  create(): Promise<void>;
  /** Closes the document. @throws Error from Chrome. */
  close(): Promise<void>;
}

const URL_PATH = 'offscreen.html';

/** Chrome's offscreen API for offscreen.html (USER_MEDIA: the tab capture stream plays there). */
export const chromeOffscreenApi: OffscreenApi = {
  async exists() {
    const contexts = await chrome.runtime.getContexts({
      contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
      documentUrls: [chrome.runtime.getURL(URL_PATH)],
    });
    return contexts.length > 0;
  },
  create: () =>
    chrome.offscreen.createDocument({
      url: URL_PATH,
      reasons: [chrome.offscreen.Reason.USER_MEDIA],
      justification: 'Analyse the captured tab video (face detection and emotion recognition) on this computer.',
    }),
  close: () => chrome.offscreen.closeDocument(),
};

/** Creates the document on demand, counts who holds it, closes it when nobody does. */
export class OffscreenDocumentService {
  private readonly holders = new Set<string>();
  private readyWaiters: (() => void)[] = [];
  private creating: Promise<void> | null = null;

  /**
   * @param readyTimeoutMs how long a new document may take to say it listens (`ready()`).
   */
  constructor(
    private readonly api: OffscreenApi,
    private readonly readyTimeoutMs = 10_000,
  ) {}

  /** Called when the document says it is listening (its `bg/offscreen-ready` message). */
  ready(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    waiters.forEach((w) => w());
  }

  /** Whether the document exists (it may outlive a restarted service worker's holds). */
  exists(): Promise<boolean> {
    return this.api.exists();
  }

  /**
   * Holds the document for `holder`, creating it if needed and waiting until its message
   * listener is up, so the first message cannot hit "Receiving end does not exist".
   * @throws Error when creation fails or the document does not report ready in time (the hold is dropped then).
   */
  async acquire(holder: string): Promise<void> {
    this.holders.add(holder);
    try {
      if (await this.api.exists()) return;
      this.creating ??= this.create().finally(() => {
        this.creating = null;
      });
      await this.creating;
    } catch (err) {
      this.holders.delete(holder);
      throw err;
    }
  }

  /**
   * Lets go of `holder`'s hold; closes the document when nothing holds it any more.
   * @throws Error from Chrome when closing fails.
   */
  async release(holder: string): Promise<void> {
    this.holders.delete(holder);
    if (this.holders.size === 0 && (await this.api.exists())) await this.api.close();
  }

  private async create(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ready = new Promise<void>((ok, fail) => {
      timer = setTimeout(() => fail(new Error(`offscreen document did not become ready in ${this.readyTimeoutMs / 1000} s`)), this.readyTimeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        ok();
      });
    });
    try {
      await this.api.create();
      await ready;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The service of this service worker. */
export const offscreenDocuments = new OffscreenDocumentService(chromeOffscreenApi);

/**
 * What the popup says about the page itself: the notice shown when a call site's layout is no
 * longer recognised (the generic adapter took over), and the "Analyse this page" offer for
 * pages outside the call sites, which asks for the optional host permission of that page's
 * origin. The toolbar click alone (activeTab) is enough to analyse a page
 * once; the permission also lets CallMood put itself back after the page reloads.
 */
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { ADAPTER_LABELS } from '../shared/types.ts';
import type { AdapterName } from '../shared/types.ts';

/**
 * The notice for a fallback from `site`'s adapter to the generic one, e.g. "CallMood doesn't
 * recognise this Zoom page's layout any more; using generic video detection."; null when
 * there is no fallback (`site` null, absent or 'generic').
 */
export function fallbackText(site: AdapterName | null | undefined): string | null {
  if (!site || site === 'generic') return null;
  return `CallMood doesn't recognise this ${ADAPTER_LABELS[site]} page's layout any more; using generic video detection.`;
}

/**
 * The optional-host-permission pattern for the page at `url` (`https://example.com/*`), or
 * null when it is not an http(s) page (chrome://, file:, the Web Store, unparsable).
 */
export function originPattern(url: string | undefined): string | null {
  if (!url || !URL.canParse(url)) return null;
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return `${u.protocol}//${u.hostname}/*`;
}

/** How often the popup re-checks, while idle, whether the page needs the offer, ms. */
const RECHECK_MS = 1000;

/**
 * The pattern to offer for tab `tabId`, or null when none is needed: the page is not http(s),
 * its URL cannot be read yet (no access before the toolbar click), or CallMood already has
 * access to its origin (a call site, or granted before). Never throws.
 */
async function neededPattern(tabId: number): Promise<string | null> {
  try {
    const tab = await browser.tabs.get(tabId);
    const pattern = originPattern(tab.url);
    if (!pattern) return null;
    return (await browser.permissions.contains({ origins: [pattern] })) ? null : pattern;
  } catch {
    return null;
  }
}

/** Props of `AnalysePageOffer`. */
export interface AnalysePageOfferProps {
  /** The tab the popup controls, or null when unknown. */
  tabId: number | null;
  /** Hidden while analysis runs or a command is pending. */
  hidden: boolean;
  /** Starts the analysis of the tab (what "Start analysis" does). */
  start: () => Promise<void>;
}

/**
 * The "Analyse this page" offer: on a page outside the call sites, asks for access to its
 * origin (`permissions.request` must run in the click's user gesture, so it is the first
 * thing the click does) and then starts the analysis. Declining still starts it: the toolbar
 * click already granted this one visit. Test hooks: `data-testid="analyse-page"` (the button)
 * and `data-testid="page-access"` (the paragraph, with `data-pattern`).
 */
export function AnalysePageOffer({ tabId, hidden, start }: AnalysePageOfferProps) {
  const [pattern, setPattern] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    if (tabId === null || hidden) return;
    let stopped = false;
    const check = (): void => {
      void neededPattern(tabId).then((p) => {
        if (!stopped) setPattern(p);
      });
    };
    check();
    const timer = setInterval(check, RECHECK_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [tabId, hidden]);

  if (hidden || pattern === null) return null;
  const host = new URL(pattern.replace('/*', '/')).hostname;

  const onClick = (): void => {
    setNote(null);
    browser.permissions.request({ origins: [pattern] }).then(
      (granted) => {
        if (!granted) setNote(`No lasting access to ${host}: CallMood analyses it only while you use its toolbar button there.`);
        return start();
      },
      (err: unknown) => setNote(`Could not ask for access: ${err instanceof Error ? err.message : String(err)}`),
    );
  };

  return (
    <p class="note page-access" data-testid="page-access" data-pattern={pattern}>
      {host} is not a call site CallMood knows.{' '}
      <button type="button" data-testid="analyse-page" onClick={onClick}>
        Analyse this page
      </button>
      {note && <span class="muted"> {note}</span>}
    </p>
  );
}

/**
 * The registry of call-site adapters and the rule that picks one for a page.
 * Every adapter has the same shape; site knowledge stays in its own file, and the generic
 * adapter catches every page the others do not know (or no longer recognise).
 */
import type { AdapterName, NameSource } from '../../shared/types.ts';
import { genericAdapter } from './generic.ts';
import { jitsiAdapter } from './jitsi.ts';
import { meetAdapter } from './meet.ts';
import { teamsAdapter } from './teams.ts';
import { zoomAdapter } from './zoom.ts';

/** One participant tile an adapter found in the DOM. Plain DOM references; never sent across contexts. */
export interface FoundTile {
  /** Participant id, stable for the participant's stay (Meet: `data-participant-id`; generic: `tile-N`; see each adapter). */
  id: string;
  /** Display name from the DOM, trimmed; never empty (adapters fall back to "Participant N" / "Tile N"). */
  name: string;
  /** Where the name came from: the site's own name element (`site`), a rule of page-labels.ts, or the fallback "Participant N" / "Tile N". Absent means `site`. */
  nameFrom?: Exclude<NameSource, 'hand'>;
  /** The tile element (what moves, resizes and gets renamed). */
  element: Element;
  /**
   * The element whose bounding rect is reported as the tile's picture: a `<video>` or
   * `<canvas>` inside the tile, or (sites that paint every tile into one shared canvas) the
   * tile's own frame element.
   */
  video: Element;
  /** True for the local user's own self-view tile. */
  isSelf: boolean;
  /** True when the tile may show several people (see TileReport.multiFace). */
  multiFace?: boolean;
  /** The site's active-speaker indicator for the tile (see TileReport.speaking); absent where the adapter reads none. */
  speaking?: boolean;
}

/** What every call-site adapter provides. Adapters are stateless apart from id bookkeeping. */
export interface PlatformAdapter {
  name: AdapterName;
  /** Match patterns of the call site's pages (manifest host-permission syntax); empty for generic. */
  hostPatterns: readonly string[];
  /** True when `url` is a page of this adapter's call site. */
  matchesUrl(url: URL): boolean;
  /** True when the DOM looks like this call site's (for look-alike pages such as the demo page). */
  looksLike(doc: Document): boolean;
  /** The participant tiles in `doc`, in document order, without duplicate ids. */
  findTiles(doc: Document): FoundTile[];
}

/** Every adapter, site adapters first; the generic adapter is always last. */
export const ADAPTERS: readonly PlatformAdapter[] = [meetAdapter, zoomAdapter, teamsAdapter, jitsiAdapter, genericAdapter];

/** The outcome of `chooseAdapter`. */
export interface AdapterChoice {
  /** The adapter whose tiles are reported (the generic one when `fallback` is true). */
  adapter: PlatformAdapter;
  /** The tiles `adapter` found just now. */
  tiles: FoundTile[];
  /** True when a site adapter was chosen but found no tiles while the generic adapter found some. */
  fallback: boolean;
  /** The site adapter that recognised the page (by URL or DOM), or null for an unknown page. */
  site: PlatformAdapter | null;
}

/**
 * Picks the adapter for a page and finds its tiles: the adapter whose `matchesUrl` matches
 * `location.href`, else the first whose `looksLike(doc)` holds, else generic. When that site
 * adapter finds zero tiles but the generic one finds some, the generic tiles are used and
 * `fallback` is true (fail soft when a site's DOM changes). Cheap enough to call on every
 * recompute, so a page that changes (lobby -> call) gets re-evaluated. Never throws for an
 * unparsable `location.href` (treated as matching no site).
 */
export function chooseAdapter(doc: Document, location: { href: string }): AdapterChoice {
  const url = URL.canParse(location.href) ? new URL(location.href) : null;
  const sites = ADAPTERS.filter((a) => a !== genericAdapter);
  const site = (url && sites.find((a) => a.matchesUrl(url))) ?? sites.find((a) => a.looksLike(doc));
  if (site) {
    const tiles = site.findTiles(doc);
    if (tiles.length > 0) return { adapter: site, tiles, fallback: false, site };
    const generic = genericAdapter.findTiles(doc);
    if (generic.length > 0) return { adapter: genericAdapter, tiles: generic, fallback: true, site };
    return { adapter: site, tiles, fallback: false, site };
  }
  return { adapter: genericAdapter, tiles: genericAdapter.findTiles(doc), fallback: false, site: null };
}

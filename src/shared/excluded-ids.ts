/** Which participant ids an exclusion covers: shared by the background and the content script's overlays. */

/** True when participant `id` is in `excluded` itself or is a person (`<tile id>#<n>`) of an excluded tile. Pure. */
export function isExcludedId(id: string, excluded: ReadonlySet<string>): boolean {
  if (excluded.has(id)) return true;
  const hash = id.lastIndexOf('#');
  return hash > 0 && excluded.has(id.slice(0, hash));
}

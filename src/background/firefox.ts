/**
 * Background entry of the Firefox build (dist/firefox, an MV3 event page): installs the
 * Firefox analysis host (inference in this page, tiles read by the content script), then
 * runs the same background as Chrome. The import order matters: the host must be installed
 * before main.ts runs.
 */
import './firefox-host.ts';
import './main.ts';

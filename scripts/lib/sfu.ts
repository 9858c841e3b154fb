/**
 * A real WebRTC call on this machine for the end-to-end tests: Debian's Janus (an open-source
 * SFU, its VideoRoom plugin and its own VideoRoom demo page) and every browser of the call run
 * in a network namespace that this module creates, joined to the host by a veth pair on the
 * benchmarking range 198.18.0.0/15 (RFC 2544), so that:
 * - ICE has a real, non-loopback address to gather (Janus's libnice gathers no candidate on
 *   loopback, and Chromium only gathers loopback with `--allow-loopback-in-peer-connection`);
 * - WebRTC traffic can reach nothing but that /30: the namespace has the veth and loopback and
 *   no default route, and the host does not forward.
 * The demo page is served in place from Janus's Debian package (`/usr/share/janus/demos`, which
 * loads jQuery, Bootstrap and janus.js from Debian's `libjs-*` packages, not from a CDN), with a
 * generated `settings.js` that points it at Janus inside the namespace. Chromium's DevTools
 * endpoint listens on the namespace's loopback; a relay inside the namespace makes it reachable
 * from the host on the namespace's veth address. `stopSfu` (and, should the test process die,
 * its exit and signal handlers) stops every process in the namespace by pid and deletes the
 * namespace, which removes the veth pair. Needs root and iproute2 (docs/real-call.md).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromePath, devToolsEndpoint, launchWithExtension, type ExtensionBrowser, type LaunchOptions } from './browser.ts';
import { serveStatic, type StaticServer } from './serve.ts';

/** Janus's VideoRoom demo page and its scripts, as Debian's `janus-demos` installs them. */
export const JANUS_DEMOS_DIR = '/usr/share/janus/demos';
/** Janus's binary and its plugin folders, as Debian's `janus` installs them. */
const JANUS_BIN = '/usr/bin/janus';
const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';
/** The demo's room (its default, 1234), the only room configured. */
export const ROOM = 1234;
/** Janus's HTTP API port inside the namespace (the demo's default). */
const JANUS_HTTP_PORT = 8088;
/**
 * The Chromium feature that hides a page's host ICE candidates behind mDNS names (for pages
 * without camera permission, such as the viewer's) and announces them by multicast to
 * 224.0.0.251: turned off in every browser of the call, so that its candidates are the test
 * range's address and nothing is sent outside it.
 */
const NO_MDNS = 'WebRtcHideLocalIpsWithMdns';
/** Names of namespaces made here: `callmood-<pid of the test process>`. */
const NETNS_PREFIX = 'callmood-';

/** Where `ip` (iproute2) is, or null. */
function ipPath(): string | null {
  return ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? null;
}

/** Why a real call cannot be set up here, or false: needs root, `ip`, Debian's janus and janus-demos. */
export function noSfuReason(): string | false {
  if (process.platform !== 'linux') return 'a real call needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'a real call needs root (it creates a network namespace and a veth pair)';
  if (!ipPath()) return "`ip` not found (Debian's iproute2)";
  if (!existsSync(JANUS_BIN) || !existsSync(join(JANUS_LIB, 'plugins/libjanus_videoroom.so'))) return "Janus not found (Debian's janus package: apt-get install janus)";
  if (!existsSync(join(JANUS_DEMOS_DIR, 'videoroomtest.html')) || !existsSync(join(JANUS_DEMOS_DIR, 'javascript/janus-gateway/janus.min.js'))) {
    return `Janus's VideoRoom demo not found in ${JANUS_DEMOS_DIR} (Debian's janus-demos package)`;
  }
  const probe = spawnSync(ipPath()!, ['netns', 'list'], { encoding: 'utf8' });
  if (probe.status !== 0) return `\`ip netns\` does not work here: ${probe.stderr.trim()}`;
  return false;
}

/** A running call server: Janus in its namespace, the demo page served to it. */
export interface Sfu {
  /** The network namespace's name (`callmood-<pid>`). */
  netns: string;
  /** The host's end of the veth pair, e.g. 198.18.3.1 (the demo page's server listens here). */
  hostAddress: string;
  /** The namespace's end, e.g. 198.18.3.2: Janus, its ICE candidates and every browser's. */
  netnsAddress: string;
  /** The Janus HTTP API, `http://<netnsAddress>:8088/janus`. */
  janusUrl: string;
  /** The demo page's origin, `http://<hostAddress>:PORT`. */
  origin: string;
  /** The work folder (Janus's configuration and log, the launch wrappers). */
  workDir: string;
  /** The VideoRoom demo page's URL with `query` (e.g. `subscriber-mode=true`) appended. */
  roomUrl(query?: string): string;
  /** The last `chars` characters of Janus's log. */
  janusLog(chars?: number): string;
}

/** What `startSfu` set up, for `stopSfu`. */
interface Running extends Sfu {
  janus: ChildProcess;
  server: StaticServer;
  relay: Server;
  browsers: Browser[];
  /** The relays of `launchInCall`'s browsers. */
  children: ChildProcess[];
  extensionBrowsers: ExtensionBrowser[];
  exitHandlers: () => void;
}

const running = new WeakMap<Sfu, Running>();

/** Runs `ip args`; throws with its stderr when it fails. */
function ip(args: string[]): string {
  const r = spawnSync(ipPath()!, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout;
}

/** Pids of the processes in namespace `name` (empty when it is gone). */
function netnsPids(name: string): number[] {
  const r = spawnSync(ipPath()!, ['netns', 'pids', name], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

/** SIGKILLs every process left in namespace `name`, then deletes it (and so its veth pair). Synchronous, for exit handlers too. */
function removeNetns(name: string): void {
  for (let round = 0; round < 20; round++) {
    const pids = netnsPids(name);
    if (!pids.length) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  spawnSync(ipPath()!, ['netns', 'del', name]);
}

/** Turns IPv6 off on the host's interface `name` (nothing when the kernel has no IPv6). */
function disableIpv6(name: string): void {
  try {
    writeFileSync(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1');
  } catch {
    // No IPv6 in this kernel: nothing to turn off.
  }
}

/** Deletes namespaces left by earlier runs whose test process is gone (a crash or a SIGKILL). */
function removeStaleNetns(): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const m = new RegExp(`^${NETNS_PREFIX}(\\d+)\\b`).exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) removeNetns(`${NETNS_PREFIX}${pid}`);
  }
}

/**
 * The /30 of this process in 198.18.0.0/16 (a quarter of 198.18.0.0/15), from its pid, so that
 * two test processes at once get different links: [host address, namespace address].
 */
function linkAddresses(pid: number): [string, string] {
  const base = (pid % 16384) * 4;
  const at = (n: number) => `198.18.${(base + n) >> 8}.${(base + n) & 255}`;
  return [at(1), at(2)];
}

/** Janus's configuration: the VideoRoom plugin and the HTTP transport only, ICE on `address` only. */
function janusConfig(dir: string, address: string): Record<string, string> {
  const off = (folder: string, keep: string) =>
    ['audiobridge', 'duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'streaming', 'textroom', 'videocall', 'voicemail', 'http', 'mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets']
      .filter((n) => existsSync(join(JANUS_LIB, folder, `libjanus_${n}.so`)) && n !== keep)
      .map((n) => `libjanus_${n}.so`)
      .join(',');
  return {
    'janus.jcfg': `general: {
  configs_folder = "${dir}"
  plugins_folder = "${JANUS_LIB}/plugins"
  transports_folder = "${JANUS_LIB}/transports"
  events_folder = "${JANUS_LIB}/events"
  loggers_folder = "${JANUS_LIB}/loggers"
  debug_level = 4
  interface = "${address}"
}
media: { rtp_port_range = "20000-20999" }
nat: { nice_debug = false ice_enforce_list = "${address}" }
plugins: { disable = "${off('plugins', 'videoroom')}" }
transports: { disable = "${off('transports', 'http')}" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
`,
    'janus.transport.http.jcfg': `general: { json = "indented" base_path = "/janus" http = true port = ${JANUS_HTTP_PORT} ip = "${address}" https = false }
admin: { admin_http = false }
cors: { }
`,
    // The demo's room as Debian's sample configures it, with 1 Mbit/s per publisher (the sample's
    // 128 kbit/s blurs a 640x360 face) and VP8, which every Chromium encodes.
    'janus.plugin.videoroom.jcfg': `general: { }
room-${ROOM}: { description = "Demo Room" publishers = 6 bitrate = 1000000 fir_freq = 10 videocodec = "vp8" audiocodec = "opus" }
`,
  };
}

/**
 * A relay run inside the namespace in front of Chromium (`node relay.mjs ADDRESS CHROMIUM ARGS...`):
 * it starts Chromium, and once Chromium says "DevTools listening on ws://127.0.0.1:PORT/...",
 * listens on ADDRESS (the namespace's veth address) and forwards to that port, printing the same
 * line with ADDRESS and its own port, which is what `launchWithExtension` reads. It merges the
 * `--disable-features` flags into one that also turns mDNS candidates off. SIGTERM or its own
 * exit kills Chromium.
 */
const DEVTOOLS_RELAY = `
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
const [address, exe, ...given] = process.argv.slice(2);
// Chromium keeps only the last --disable-features: merge them all into one, with ${NO_MDNS}.
const off = ['${NO_MDNS}'];
const args = [];
for (const a of given) {
  if (a.startsWith('--disable-features=')) off.push(...a.slice('--disable-features='.length).split(',').filter(Boolean));
  else args.push(a);
}
args.unshift('--disable-features=' + off.join(','));
const child = spawn(exe, args, { stdio: ['ignore', 'inherit', 'pipe'] });
let buf = '';
let relayed = false;
child.stderr.on('data', (d) => {
  if (relayed) return void process.stderr.write(d);
  buf += d.toString();
  const m = /DevTools listening on ws:\\/\\/127\\.0\\.0\\.1:(\\d+)(\\/\\S*)/.exec(buf);
  if (!m) return;
  relayed = true;
  const server = createServer((s) => {
    const c = connect(Number(m[1]), '127.0.0.1');
    s.pipe(c).pipe(s);
    s.on('error', () => c.destroy());
    c.on('error', () => s.destroy());
  });
  server.listen(0, address, () => process.stderr.write(buf.replace(m[0], 'DevTools listening on ws://' + address + ':' + server.address().port + m[2])));
});
const end = () => { try { child.kill('SIGKILL'); } catch {} process.exit(0); };
process.on('SIGTERM', end);
process.on('SIGINT', end);
child.on('exit', (code) => process.exit(code ?? 0));
`;

/** Polls `url` until it answers 200 or `timeoutMs` passes; throws with `why()` then. */
async function waitForHttp(url: string, timeoutMs: number, why: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${why()}`);
}

/**
 * Creates the namespace `callmood-<pid>` with a veth pair (host end `<addr>.1/30`, namespace end
 * `<addr>.2/30`, both in 198.18.0.0/16; loopback up in the namespace; no default route), starts
 * Janus in it (VideoRoom and HTTP only, ICE on the namespace address only), and serves Janus's
 * VideoRoom demo on the host end. Deletes namespaces left by dead earlier runs first.
 * @returns the running call server; pass it to `stopSfu` (the process's exit also cleans up).
 * @throws Error (after cleaning up) when a step fails or Janus does not answer within 15 s;
 *   the message carries the end of Janus's log.
 */
export async function startSfu(): Promise<Sfu> {
  const reason = noSfuReason();
  if (reason) throw new Error(reason);
  removeStaleNetns();
  const netns = `${NETNS_PREFIX}${process.pid}`;
  const [hostAddress, netnsAddress] = linkAddresses(process.pid);
  const hostIf = `cmh${process.pid}`.slice(0, 15);
  const nsIf = `cmn${process.pid}`.slice(0, 15);
  const workDir = await mkdtemp(join(tmpdir(), 'callmood-sfu-'));
  const cleanupSync = () => {
    removeNetns(netns);
    spawnSync(ipPath()!, ['link', 'del', hostIf], { stdio: 'ignore' });
  };
  // Runs on any exit of the test process, also a failed assertion or a signal, before `stopSfu`.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanupSync();
    process.off('exit', cleanupSync);
    process.kill(process.pid, signal);
  };
  const exitHandlers = () => {
    process.off('exit', cleanupSync);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', cleanupSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let janus: ChildProcess | null = null;
  let server: StaticServer | null = null;
  let relay: Server | null = null;
  try {
    ip(['netns', 'add', netns]);
    ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    ip(['link', 'set', nsIf, 'netns', netns]);
    // No IPv6 on the link: its link-local autoconfiguration (router solicitations, multicast
    // listener reports) would be traffic to addresses outside the test range.
    disableIpv6(hostIf);
    spawnSync(ipPath()!, ['netns', 'exec', netns, 'sh', '-c', 'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 > "$f"; done'], { stdio: 'ignore' });
    ip(['addr', 'add', `${hostAddress}/30`, 'dev', hostIf]);
    ip(['link', 'set', hostIf, 'up']);
    ip(['-n', netns, 'addr', 'add', `${netnsAddress}/30`, 'dev', nsIf]);
    ip(['-n', netns, 'link', 'set', nsIf, 'up']);
    ip(['-n', netns, 'link', 'set', 'lo', 'up']);

    for (const [name, text] of Object.entries(janusConfig(workDir, netnsAddress))) await writeFile(join(workDir, name), text);
    const log = join(workDir, 'janus.log');
    const fd = openSync(log, 'w');
    janus = spawn(ipPath()!, ['netns', 'exec', netns, JANUS_BIN, '-C', join(workDir, 'janus.jcfg'), '-F', workDir, '-o'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const janusLog = (chars = 4000) => (existsSync(log) ? readFileSync(log, 'utf8').slice(-chars) : '');
    const janusUrl = `http://${netnsAddress}:${JANUS_HTTP_PORT}/janus`;
    await waitForHttp(`${janusUrl}/info`, 15_000, () => `Janus exited with ${janus?.exitCode}; ${janusLog(2000)}`);

    // The demo's settings.js takes Janus's address from the page's host name; the page is served
    // on the host end of the link and Janus listens on the other, so the page gets its own.
    const settings = join(workDir, 'settings.js');
    await writeFile(settings, `var server = ${JSON.stringify(janusUrl)};\nvar iceServers = null;\nvar token = null;\nvar apisecret = null;\n`);
    server = await serveStatic({ '/settings.js': settings, '/': JANUS_DEMOS_DIR });
    // serveStatic listens on the host's loopback, which the namespace cannot reach: relay the
    // host end of the link to it.
    const target = new URL(server.origin);
    const httpRelay = createServer((s) => {
      const c = connect(Number(target.port), target.hostname);
      s.pipe(c).pipe(s);
      s.on('error', () => c.destroy());
      c.on('error', () => s.destroy());
    });
    relay = httpRelay;
    await new Promise<void>((ok, fail) => httpRelay.once('error', fail).listen(0, hostAddress, ok));
    const port = (httpRelay.address() as { port: number }).port;
    const origin = `http://${hostAddress}:${port}`;

    await writeFile(join(workDir, 'devtools-relay.mjs'), DEVTOOLS_RELAY);
    const wrapper = join(workDir, 'chromium-in-netns');
    await writeFile(wrapper, `#!/bin/sh\nexec ${ipPath()} netns exec ${netns} ${process.execPath} ${join(workDir, 'devtools-relay.mjs')} ${netnsAddress} ${chromePath()} "$@"\n`);
    await chmod(wrapper, 0o755);

    const sfu: Running = {
      netns,
      hostAddress,
      netnsAddress,
      janusUrl,
      origin,
      workDir,
      roomUrl: (query = '') => `${origin}/videoroomtest.html${query ? `?${query}` : ''}`,
      janusLog,
      janus,
      server,
      relay,
      browsers: [],
      children: [],
      extensionBrowsers: [],
      exitHandlers,
    };
    running.set(sfu, sfu);
    return sfu;
  } catch (error) {
    relay?.close();
    await server?.close();
    cleanupSync();
    exitHandlers();
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Launches a plain Chromium (e.g. a publisher with a fake camera: pass `fakeCameraArgs(file)` in
 * `args`) inside the call's namespace, through the same relay as `launchExtensionInCall`, and
 * connects playwright-core to it over the link. The demo page's origin is treated as secure, so
 * that the page may open the camera (it is plain HTTP on a non-loopback address; a real
 * deployment serves HTTPS). `stopSfu` closes it too.
 * @param args extra Chromium flags.
 * @throws Error when `sfu` is not running or Chromium does not start within 30 s.
 */
export async function launchInCall(sfu: Sfu, args: string[] = [], headless = true): Promise<Browser> {
  const run = running.get(sfu);
  if (!run) throw new Error('the call server is not running');
  const profile = await mkdtemp(join(sfu.workDir, 'profile-'));
  const child = spawn(
    join(sfu.workDir, 'chromium-in-netns'),
    [
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      '--no-sandbox',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--password-store=basic',
      '--autoplay-policy=no-user-gesture-required',
      `--unsafely-treat-insecure-origin-as-secure=${sfu.origin}`,
      ...(headless ? ['--headless'] : []),
      ...args,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  run.children.push(child);
  const ws = await devToolsEndpoint(child);
  const browser = await chromium.connectOverCDP(ws);
  run.browsers.push(browser);
  return browser;
}

/**
 * Launches Chromium with the built extension inside the call's namespace (`launchWithExtension`,
 * through a wrapper that runs it in the namespace and relays its DevTools endpoint to the
 * namespace's veth address, where this process connects). No fake camera: Chromium's fake
 * devices replace tab capture too. `stopSfu` closes it too.
 * @throws Error when `sfu` is not running or the browser or its extension does not start.
 */
export async function launchExtensionInCall(sfu: Sfu, opts: LaunchOptions): Promise<ExtensionBrowser> {
  const run = running.get(sfu);
  if (!run) throw new Error('the call server is not running');
  // launchWithExtension reads CHROME_PATH synchronously before its first await: point it at the
  // wrapper for this one call only.
  const saved = process.env.CHROME_PATH;
  process.env.CHROME_PATH = join(sfu.workDir, 'chromium-in-netns');
  let launching: Promise<ExtensionBrowser>;
  try {
    launching = launchWithExtension(opts);
  } finally {
    if (saved === undefined) delete process.env.CHROME_PATH;
    else process.env.CHROME_PATH = saved;
  }
  const eb = await launching;
  run.extensionBrowsers.push(eb);
  return eb;
}

/**
 * Stops the call: closes the browsers launched through this module, stops Janus (SIGTERM, then
 * every process left in the namespace is SIGKILLed by pid), deletes the namespace and with it the
 * veth pair, closes the page server and removes the work folder. Safe to call twice.
 */
export async function stopSfu(sfu: Sfu): Promise<void> {
  const run = running.get(sfu);
  if (!run) return;
  running.delete(sfu);
  for (const eb of run.extensionBrowsers) await eb.close().catch(() => {});
  for (const b of run.browsers) await b.close().catch(() => {});
  for (const c of run.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  if (run.janus.exitCode === null && run.janus.signalCode === null) {
    const exited = new Promise((ok) => run.janus.once('exit', ok));
    run.janus.kill('SIGTERM');
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 3000))]);
  }
  removeNetns(run.netns);
  spawnSync(ipPath()!, ['link', 'del', `cmh${process.pid}`.slice(0, 15)], { stdio: 'ignore' });
  run.exitHandlers();
  run.relay.close();
  await run.server.close();
  await rm(run.workDir, { recursive: true, force: true });
}

/** One remote participant's panel on the VideoRoom demo page. */
export interface RoomPanel {
  /** The panel's number on the page (1-5: `#videoremoteN`). */
  index: number;
  /** The display name the page shows in the panel's heading (`#remoteN`). */
  name: string;
  /** The panel's video: its element size in CSS px and its decoded frame size, px. */
  video: { left: number; top: number; width: number; height: number; videoWidth: number; videoHeight: number } | null;
}

/**
 * Joins the demo room on `page` (already at `sfu.roomUrl(...)`) as `displayName` (letters and
 * digits only: the demo refuses anything else): presses Start, types the name, presses "Join the
 * room". With the page's `subscriber-mode=true` query it joins without publishing.
 * @throws Error when the page does not reach the name field or the join in 20 s.
 */
export async function joinRoom(page: Page, displayName: string): Promise<void> {
  // The demo binds Start once Janus.init has run: retry the click until the name field shows.
  const end = Date.now() + 20_000;
  while (!(await page.locator('#username').isVisible())) {
    if (Date.now() > end) throw new Error(`the demo page never offered the name field: ${await page.locator('body').innerText()}`);
    if (await page.locator('#start').isEnabled()) await page.locator('#start').click({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(300);
  }
  await page.locator('#username').fill(displayName);
  await page.locator('#register').click();
  await page.locator('#videos').waitFor({ state: 'visible', timeout: 20_000 });
}

/** The remote panels of the demo page with a name or a video, as the page shows them. */
export async function roomPanels(page: Page): Promise<RoomPanel[]> {
  return page.evaluate(() => {
    const out: RoomPanel[] = [];
    for (let i = 1; i <= 5; i++) {
      const label = document.getElementById(`remote${i}`);
      const video = document.querySelector<HTMLVideoElement>(`#videoremote${i} video`);
      const name = label && getComputedStyle(label).display !== 'none' ? (label.textContent ?? '').trim() : '';
      if (!name && !video) continue;
      const r = video?.getBoundingClientRect();
      out.push({
        index: i,
        name,
        video: video && r ? { left: r.left, top: r.top, width: r.width, height: r.height, videoWidth: video.videoWidth, videoHeight: video.videoHeight } : null,
      });
    }
    return out;
  });
}

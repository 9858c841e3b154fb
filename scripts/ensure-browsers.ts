/**
 * npm run browsers [-- chromium] [firefox-esr] [ffmpeg] [janus] [janus-demos] [iproute2]
 *
 * Makes sure the browsers that the tests and the demo drive are installed: Debian's
 * `chromium` (at CHROME_PATH, default /usr/bin/chromium) and `firefox-esr` (at FIREFOX_PATH,
 * default /usr/bin/firefox-esr); and the tools of two tests: `ffmpeg` (FFMPEG_PATH, default
 * /usr/bin/ffmpeg), which turns a clip into Chromium's fake camera for the mirror's test, and
 * `janus` with `janus-demos` (JANUS_PATH, JANUS_DEMOS_PATH), the WebRTC server and its room page
 * for the real-call test, and `iproute2` (IP_PATH, default /usr/sbin/ip) for its network
 * namespace. With no arguments, all of them. A missing one is installed from
 * Debian's packages when that is possible without asking anyone: running as root on Debian,
 * or under CI with password-less sudo. Then it runs one `apt-get update` and one
 * `apt-get install -y` for everything missing. Otherwise it prints the one command that
 * installs them and exits with status 1. `npm test` runs it first, `npm run demo` asks for
 * Chromium only, and .ci/run gets it through `npm test`. It never downloads a browser of
 * its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A browser, named by its Debian package; or a tool a test needs: `ffmpeg` turns a clip into
 * the fake camera of the mirror's test (scripts/lib/fake-camera.ts); `janus` and `janus-demos`
 * are the WebRTC server and the room page of the real-call test (scripts/lib/sfu.ts), whose
 * network namespace `iproute2`'s `ip` makes.
 */
export type BrowserPackage = 'chromium' | 'firefox-esr' | 'ffmpeg' | 'janus' | 'janus-demos' | 'iproute2';

/**
 * Where each browser is looked for, and the variable that overrides it (as `chromePath()` in
 * scripts/lib/browser.ts and `firefoxPath()` in scripts/lib/firefox.ts, which launch them).
 */
export const BROWSERS: Record<BrowserPackage, { env: 'CHROME_PATH' | 'FIREFOX_PATH' | 'FFMPEG_PATH' | 'JANUS_PATH' | 'JANUS_DEMOS_PATH' | 'IP_PATH'; defaultPath: string }> = {
  chromium: { env: 'CHROME_PATH', defaultPath: '/usr/bin/chromium' },
  'firefox-esr': { env: 'FIREFOX_PATH', defaultPath: '/usr/bin/firefox-esr' },
  ffmpeg: { env: 'FFMPEG_PATH', defaultPath: '/usr/bin/ffmpeg' },
  janus: { env: 'JANUS_PATH', defaultPath: '/usr/bin/janus' },
  'janus-demos': { env: 'JANUS_DEMOS_PATH', defaultPath: '/usr/share/janus/demos/videoroomtest.html' },
  iproute2: { env: 'IP_PATH', defaultPath: '/usr/sbin/ip' },
};

/** What `planBrowsers` needs to know about the machine. */
export interface HostFacts {
  /** True when a file exists at `path`. */
  exists(path: string): boolean;
  /** The environment (CHROME_PATH, FIREFOX_PATH). */
  env: Record<string, string | undefined>;
  /** Debian or a derivative with apt-get. */
  debian: boolean;
  /** How packages can be installed without a prompt: as root, through `sudo -n`, or not at all. */
  installer: 'root' | 'sudo' | null;
}

/** What to do so that the wanted browsers are there. */
export type BrowserPlan =
  | { action: 'none' }
  | { action: 'install'; packages: BrowserPackage[]; sudo: boolean }
  | { action: 'tell'; message: string };

/** The path where `pkg` is looked for under `env`. */
export function browserPath(pkg: BrowserPackage, env: HostFacts['env']): string {
  return env[BROWSERS[pkg].env] ?? BROWSERS[pkg].defaultPath;
}

/**
 * Decides how to get the `wanted` browsers: nothing when all are there; an apt-get install
 * of the missing ones when it may run without a prompt on Debian; else the message that
 * tells the user the one command to run. A browser whose path variable points elsewhere
 * than Debian's package would put it is never installed (the package would not help).
 */
export function planBrowsers(wanted: readonly BrowserPackage[], facts: HostFacts): BrowserPlan {
  const missing = [...new Set(wanted)].filter((pkg) => !facts.exists(browserPath(pkg, facts.env)));
  if (missing.length === 0) return { action: 'none' };
  const custom = missing.filter((pkg) => browserPath(pkg, facts.env) !== BROWSERS[pkg].defaultPath);
  if (custom.length > 0) {
    const pkg = custom[0]!;
    const { env } = BROWSERS[pkg];
    return { action: 'tell', message: `${env}=${facts.env[env]} does not exist. Point ${env} at a ${pkg} binary, or use Debian's package:\n  unset ${env}` };
  }
  if (!facts.debian) {
    const where = missing.map((pkg) => `${BROWSERS[pkg].env}=/path/to/${pkg}`).join(' ');
    return { action: 'tell', message: `${missing.join(' and ')} not found at ${missing.map((pkg) => BROWSERS[pkg].defaultPath).join(', ')}. Install ${missing.length > 1 ? 'them' : 'it'} and say where:\n  export ${where}` };
  }
  if (facts.installer === null) {
    return { action: 'tell', message: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed. Install with:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}` };
  }
  return { action: 'install', packages: missing, sudo: facts.installer === 'sudo' };
}

/** The facts of this machine. */
function hostFacts(): HostFacts {
  const root = process.getuid?.() === 0;
  const ci = Boolean(process.env.CI) && process.env.CI !== 'false';
  const sudo = !root && ci && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  return { exists: existsSync, env: process.env, debian: existsSync('/etc/debian_version') && apt, installer: root ? 'root' : sudo ? 'sudo' : null };
}

/** Runs `command` with the terminal's output; throws when it fails. */
function run(command: string[], sudo: boolean): void {
  const [exe, ...args] = sudo ? ['sudo', '-n', ...command] : command;
  console.log(`$ ${[exe, ...args].join(' ')}`);
  const result = spawnSync(exe!, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.error?.message ?? `exit status ${result.status}`})`);
}

/** The installed version of Debian package `pkg` (dpkg), or null when dpkg does not know it. */
function packageVersion(pkg: string): string | null {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 && result.stdout.trim() ? `Debian package ${result.stdout.trim()}` : null;
}

/** The first line `path --version` prints, or why it printed none. */
function versionOf(path: string): string {
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return result.stdout?.trim().split('\n')[0] || `no version (${result.error?.message ?? result.stderr?.trim() ?? `exit status ${result.status}`})`;
}

/**
 * Makes sure the `wanted` browsers are installed (see the file's comment) and prints where
 * each is and its version.
 * @throws Error whose message tells the user the command to run, when they cannot be installed here.
 */
export function ensureBrowsers(wanted: readonly BrowserPackage[]): void {
  const plan = planBrowsers(wanted, hostFacts());
  if (plan.action === 'tell') throw new Error(plan.message);
  if (plan.action === 'install') {
    console.log(`Installing ${plan.packages.join(', ')} from Debian's packages`);
    run(['apt-get', 'update'], plan.sudo);
    run(['apt-get', 'install', '-y', ...plan.packages], plan.sudo);
    const still = plan.packages.filter((pkg) => !existsSync(browserPath(pkg, process.env)));
    if (still.length > 0) throw new Error(`apt-get installed ${plan.packages.join(' ')}, yet ${still.map((pkg) => browserPath(pkg, process.env)).join(', ')} is missing`);
  }
  for (const pkg of wanted) {
    const path = browserPath(pkg, process.env);
    const debian = path === BROWSERS[pkg].defaultPath ? packageVersion(pkg) : null;
    console.log(`${pkg}: ${path} (${debian ?? versionOf(path)})`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !(a in BROWSERS));
  if (unknown.length > 0) {
    console.error(`unknown browser ${unknown.join(', ')}; known: ${Object.keys(BROWSERS).join(', ')}`);
    process.exit(2);
  }
  try {
    ensureBrowsers(args.length > 0 ? (args as BrowserPackage[]) : (Object.keys(BROWSERS) as BrowserPackage[]));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

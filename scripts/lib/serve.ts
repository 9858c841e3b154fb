/**
 * A small static file server on 127.0.0.1 for the demo call page, tests and benchmarks.
 * Serves each mount (URL prefix -> folder); never lists folders; rejects paths that leave
 * a mount. Supports HTTP Range requests so <video> can seek.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.csv': 'text/csv',
};

/** A running server: `origin` is `http://127.0.0.1:PORT`. */
export interface StaticServer {
  origin: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Starts the server.
 * @param mounts URL prefix (e.g. '/videos/') -> absolute folder.
 * @param port 0 for any free port.
 */
export async function serveStatic(mounts: Record<string, string>, port = 0): Promise<StaticServer> {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  // Never rejects: a failure is answered with a 500. The server drops the promise.
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = decodeURIComponent(url.pathname);
      const mount = entries.find(([prefix]) => path.startsWith(prefix));
      if (!mount) return void res.writeHead(404).end('not found');
      const base = resolve(mount[1]);
      let file = normalize(join(base, path.slice(mount[0].length)));
      if (file !== base && !file.startsWith(base + sep)) return void res.writeHead(403).end('forbidden');
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return void res.writeHead(404).end('not found');
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const headers: Record<string, string | number> = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': 'no-store' };
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      if (range && (range[1] || range[2])) {
        const start = range[1] ? Number(range[1]) : Math.max(0, info.size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
        if (start > end || start >= info.size) return void res.writeHead(416, { 'content-range': `bytes */${info.size}` }).end();
        res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${info.size}`, 'content-length': end - start + 1 });
        return void createReadStream(file, { start, end }).pipe(res);
      }
      res.writeHead(200, { ...headers, 'content-length': info.size });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).pipe(res);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  };
  const server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const { port: actual } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${actual}`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

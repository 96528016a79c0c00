// Serves a model folder under /__full/ from the bench's preview server as a static file server
// does (Content-Length, Range -> 206 with Content-Range), logs each request, and can drop the
// connection of one response part way: an interrupted download as the network makes one.
import { createReadStream, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Plugin } from 'vite';

export const FOLDER_PREFIX = '/__full/';

export interface ServedRequest {
  path: string;
  range: string | null;
  status: number;
  /** Bytes the server sent (before any cut). */
  sent: number;
}

export interface FolderServer {
  plugin: Plugin;
  requests: ServedRequest[];
  /** The next response for `path` stops after `afterBytes` bytes and the socket is destroyed. */
  cutOnce(path: string, afterBytes: number): void;
}

export function serveFolder(root: string): FolderServer {
  const requests: ServedRequest[] = [];
  let cut: { path: string; afterBytes: number } | null = null;
  const plugin: Plugin = {
    name: 'cxr-fullsize-folder',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = req.url ?? '';
        if (!url.startsWith(FOLDER_PREFIX)) return next();
        const rel = decodeURIComponent(url.slice(FOLDER_PREFIX.length).split('?')[0]!);
        const file = normalize(join(root, rel));
        let size: number;
        try {
          if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error('not a file');
          size = statSync(file).size;
        } catch {
          res.statusCode = 404;
          res.end();
          requests.push({ path: rel, range: null, status: 404, sent: 0 });
          return;
        }
        res.setHeader('Content-Type', rel.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.setHeader('Accept-Ranges', 'bytes');
        res.setHeader('Cache-Control', 'no-store');
        const range = req.headers.range ?? null;
        const m = range?.match(/^bytes=(\d+)-(\d*)$/);
        let start = 0;
        let end = size - 1;
        if (m) {
          start = Number(m[1]);
          end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
          if (start > end) {
            res.statusCode = 416;
            res.setHeader('Content-Range', `bytes */${size}`);
            res.end();
            requests.push({ path: rel, range, status: 416, sent: 0 });
            return;
          }
          res.statusCode = 206;
          res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
        }
        res.setHeader('Content-Length', String(end - start + 1));
        const entry: ServedRequest = { path: rel, range, status: res.statusCode, sent: 0 };
        requests.push(entry);
        const stopAt = cut && cut.path === rel ? start + cut.afterBytes : null;
        if (stopAt !== null) cut = null;
        const stream = createReadStream(file, { start, end: stopAt !== null ? Math.min(end, stopAt - 1) : end });
        stream.on('data', (chunk) => (entry.sent += chunk.length));
        if (stopAt !== null) stream.on('end', () => res.socket?.destroy());
        stream.pipe(res, { end: stopAt === null });
      });
    },
  };
  return { plugin, requests, cutOnce: (path, afterBytes) => (cut = { path, afterBytes }) };
}

/**
 * Vite plugin that applies src/security/csp.ts: the Content-Security-Policy as a header on the dev
 * and preview servers (next to COOP/COEP) and as a <meta> tag in index.html, for static hosts that
 * send no header. The policy is computed per mode from the env, so a configured model host
 * (VITE_CXR_MODEL_URL) joins connect-src in both.
 *
 * Runs in Node (vite.config.ts), never in the app.
 */
import { createHash } from 'node:crypto';
import react from '@vitejs/plugin-react';
import { loadEnv, type Plugin } from 'vite';
import { buildCsp, type CspOptions } from './csp.js';

/** index.html carries `<meta http-equiv="Content-Security-Policy" content="%CXR_CSP%">`. */
export const CSP_PLACEHOLDER = '%CXR_CSP%';

export function cspSha256(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    .filter(([, attrs]) => !/\bsrc\s*=/i.test(attrs ?? ''))
    .map(([, , body]) => body ?? '');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function contentSecurityPolicy(): Plugin {
  let meta = '';
  let allowedHashes: string[] = [];
  let dev = false;
  return {
    name: 'cxr-content-security-policy',
    config(config, { command, mode }) {
      const env = loadEnv(mode, config.envDir || config.root || process.cwd(), 'VITE_');
      const base: CspOptions = { delivery: 'header', modelUrl: env.VITE_CXR_MODEL_URL, extraConnectOrigins: env.VITE_CXR_CONNECT_ORIGINS };
      dev = command === 'serve';
      // The dev server's only inline script is @vitejs/plugin-react's refresh preamble.
      allowedHashes = dev ? [cspSha256(react.preambleCode.replace('__BASE__', config.base || '/'))] : [];
      const devOptions: CspOptions = { ...base, dev: { inlineScriptHashes: allowedHashes } };
      meta = buildCsp({ ...(dev ? devOptions : base), delivery: 'meta' });
      return {
        server: { headers: { 'Content-Security-Policy': buildCsp(devOptions) } },
        preview: { headers: { 'Content-Security-Policy': buildCsp(base) } },
      };
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        // Every inline script must be allowed by hash, or the page breaks under the policy: say so here.
        for (const body of inlineScripts(html)) {
          const hash = cspSha256(body);
          if (!allowedHashes.includes(hash)) {
            throw new Error(
              `index.html has an inline <script> that the Content-Security-Policy blocks (${hash}): ` +
                `${body.trim().slice(0, 80)}… Load it from a file instead (src/security/csp.ts explains the policy).`,
            );
          }
        }
        const tag = `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(meta)}" />`;
        if (html.includes(CSP_PLACEHOLDER)) {
          return html.replace(new RegExp(`<meta[^>]*${CSP_PLACEHOLDER}[^>]*>`), tag);
        }
        return html.replace(/<head>/i, `<head>\n    ${tag}`);
      },
    },
  };
}

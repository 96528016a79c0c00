/**
 * Vite plugin: the dev (`npm start`) and preview servers forward a hospital's DICOMweb root under
 * the app's own origin, so the browser sees one origin (no CORS, COEP and the strict CSP hold) and
 * no image request leaves for anywhere the app's origin does not forward to.
 *
 * Configured from the environment (or a .env file), never in the app bundle:
 * - CXR_DICOMWEB_PROXY_TARGET: the server's DICOMweb root, e.g. http://pacs.local:8042/dicom-web
 * - CXR_DICOMWEB_PROXY_PATH:   where the app sees it (default /dicomweb, the app's default server URL)
 * A production deployment does the same with its own reverse proxy (README, "Hospital server").
 *
 * Runs in Node (vite.config.ts), never in the app.
 */
import { loadEnv, type Plugin, type ProxyOptions } from 'vite';

export const DEFAULT_DICOMWEB_PATH = '/dicomweb';

export interface DicomwebProxyConfig {
  path: string;
  target: string;
}

/** The proxy settings from env-like values; null when no target is set. Throws on a bad value. */
export function dicomwebProxyConfig(env: Record<string, string | undefined>): DicomwebProxyConfig | null {
  const raw = env.CXR_DICOMWEB_PROXY_TARGET?.trim();
  if (!raw) return null;
  let target: URL;
  try {
    target = new URL(raw);
  } catch {
    throw new Error(`CXR_DICOMWEB_PROXY_TARGET is not a URL: "${raw}" (e.g. http://pacs.local:8042/dicom-web).`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`CXR_DICOMWEB_PROXY_TARGET must be an http(s) URL, not "${target.protocol}".`);
  }
  if (target.username || target.password) {
    // Credentials belong in the app (memory only) or the reverse proxy's own config, never a URL.
    throw new Error('CXR_DICOMWEB_PROXY_TARGET must not carry credentials; enter them in the app.');
  }
  const path = (env.CXR_DICOMWEB_PROXY_PATH?.trim() || DEFAULT_DICOMWEB_PATH).replace(/\/+$/, '');
  if (!/^\/[\w./-]+$/.test(path)) throw new Error(`CXR_DICOMWEB_PROXY_PATH must be a path such as /dicomweb, not "${path}".`);
  return { path, target: target.href.replace(/\/+$/, '') };
}

export function dicomwebProxyOptions(c: DicomwebProxyConfig): Record<string, ProxyOptions> {
  const prefix = new RegExp(`^${c.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  return {
    [`${c.path}/`]: {
      target: c.target,
      changeOrigin: true,
      rewrite: (p) => p.replace(prefix, ''),
      configure: (proxy) => {
        proxy.on('proxyRes', (res) => {
          // A Basic challenge would make the browser ask for (and then remember and resend) a
          // password on its own; the app asks instead, and keeps what it is given in memory only.
          delete res.headers['www-authenticate'];
        });
      },
    },
  };
}

export function dicomwebProxy(): Plugin {
  return {
    name: 'cxr-dicomweb-proxy',
    config(_config, { mode }) {
      // loadEnv reads .env files and lets the process environment win.
      const c = dicomwebProxyConfig(loadEnv(mode, process.cwd(), 'CXR_DICOMWEB_'));
      if (!c) return;
      const proxy = dicomwebProxyOptions(c);
      return { server: { proxy }, preview: { proxy } };
    },
  };
}


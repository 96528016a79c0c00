/**
 * Where the DICOMweb server is and how to sign in. Lives in memory only: never in the store's
 * persisted parts, drafts, URLs or logs (the app forgets credentials on reload, by design).
 */
export type DicomwebAuth = { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

export interface DicomwebConnection {
  /** The DICOMweb root: a path on the app's origin (its reverse proxy), or an origin the CSP allows. */
  url: string;
  auth: DicomwebAuth;
}

/** The app's own origin forwards this path to the hospital's server (src/dicomweb/vite-proxy.ts, README). */
export const DEFAULT_DICOMWEB_URL = '/dicomweb';

/** The Authorization header for the chosen sign-in; never put into a URL. */
export function authorizationHeaders(auth: DicomwebAuth): Record<string, string> {
  if (auth.kind === 'basic') {
    // btoa takes Latin-1 only; encode UTF-8 first (RFC 7617 charset="UTF-8").
    const bytes = new TextEncoder().encode(`${auth.user}:${auth.password}`);
    return { Authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
  }
  if (auth.kind === 'bearer') return { Authorization: `Bearer ${auth.token.trim()}` };
  return {};
}

/** The root URL without a trailing slash; throws on something that is not a path or an http(s) URL. */
export function normaliseRoot(url: string, base: string): string {
  const raw = url.trim();
  if (!raw) throw new Error('Enter the DICOMweb server URL (e.g. /dicomweb).');
  let parsed: URL;
  try {
    parsed = new URL(raw, base);
  } catch {
    throw new Error(`"${raw}" is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`The server URL must be http(s), not "${parsed.protocol}".`);
  if (parsed.username || parsed.password) throw new Error('Put the user name and password in the sign-in fields, not in the URL.');
  if (parsed.search || parsed.hash) throw new Error('The server URL is the DICOMweb root, without ? or #.');
  return parsed.href.replace(/\/+$/, '');
}

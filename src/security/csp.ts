/**
 * The app's Content-Security-Policy, built in one place for the <meta> tag in index.html and the
 * header the dev and preview servers send (src/security/vite-csp.ts wires both). Pure: no DOM, no
 * Node APIs.
 *
 * What each source is for:
 * - script-src 'self' 'wasm-unsafe-eval': the app's own chunks; 'wasm-unsafe-eval' lets the page and
 *   its workers compile WebAssembly (ONNX Runtime under /ort/, the imaging codecs, the tokenizer,
 *   WebLLM's model library). Nothing here needs 'unsafe-eval': none of these call eval or new
 *   Function. The one script that does, cornerstone-wado-image-loader's decode worker, gets its own
 *   policy on its own response (wadoWorkerCsp below); this one is not loosened for it.
 * - worker-src 'self': the decode worker, the inference worker and ONNX Runtime's wasm threads are
 *   all same-origin module scripts (no blob: workers: ORT only makes a blob: URL for a cross-origin
 *   loader, and ours is served from /ort/).
 * - connect-src 'self' + the model host: fetches of model files, codec .wasm and ORT's runtime.
 * - img-src blob: data:: small assets Vite may inline, and blob: URLs of images made in the page.
 * - style-src 'self': the built app has only its stylesheet files; React's `style` prop goes
 *   through the CSSOM, which CSP does not restrict. Only the dev server needs 'unsafe-inline' (Vite
 *   injects CSS there as <style> elements).
 * - frame-ancestors only works in a header; a <meta> policy must leave it out (browsers ignore it
 *   there and warn).
 */

export interface CspOptions {
  /** A header may carry frame-ancestors; a <meta> tag may not. */
  delivery: 'header' | 'meta';
  /** VITE_CXR_MODEL_URL: when it is an absolute URL, its origin joins connect-src. */
  modelUrl?: string | undefined;
  /**
   * Further origins the model files come from (VITE_CXR_CONNECT_ORIGINS, space-separated), e.g. the
   * CDN a model host redirects to, or the host of a WebLLM model library. Empty by default.
   */
  extraConnectOrigins?: string | string[] | undefined;
  /**
   * The dev server only: sha256 sources of its inline scripts (the React refresh preamble), and
   * 'unsafe-inline' styles for Vite's injected <style> elements. Never for a build.
   */
  dev?: { inlineScriptHashes: string[] };
}

/** The origin of an absolute http(s) URL; null for a path on the app's own origin. */
export function modelHostOrigin(url: string | undefined): string | null {
  const value = url?.trim();
  if (!value) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value) && !value.startsWith('//')) return null; // relative: same origin
  let parsed: URL;
  try {
    parsed = new URL(value.startsWith('//') ? `https:${value}` : value);
  } catch {
    throw new Error(`VITE_CXR_MODEL_URL is not a valid URL: "${value}".`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`VITE_CXR_MODEL_URL must be an http(s) URL or a path on this origin, not "${parsed.protocol}".`);
  }
  return parsed.origin;
}

function connectOrigins(extra: CspOptions['extraConnectOrigins']): string[] {
  const list = Array.isArray(extra) ? extra : (extra ?? '').split(/\s+/);
  return list
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      let parsed: URL | null = null;
      try {
        parsed = new URL(s);
      } catch {
        // fall through
      }
      if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== s.replace(/\/$/, '').toLowerCase()) {
        throw new Error(`VITE_CXR_CONNECT_ORIGINS takes http(s) origins such as https://models.example.org, not "${s}".`);
      }
      return parsed.origin;
    });
}

const SHA256_SOURCE = /^'sha256-[A-Za-z0-9+/]{43}='$/;

/** The policy as ordered directives (name, sources). */
export function cspDirectives(options: CspOptions): [string, string[]][] {
  const connect = ['self', ...[modelHostOrigin(options.modelUrl), ...connectOrigins(options.extraConnectOrigins)]]
    .filter((s): s is string => !!s)
    .map((s) => (s === 'self' ? "'self'" : s));
  const hashes = options.dev?.inlineScriptHashes ?? [];
  for (const h of hashes) if (!SHA256_SOURCE.test(h)) throw new Error(`not a CSP sha256 source: ${h}`);
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", "'wasm-unsafe-eval'", ...hashes]],
    ['worker-src', ["'self'"]],
    ['connect-src', [...new Set(connect)]],
    ['img-src', ["'self'", 'blob:', 'data:']],
    ['style-src', options.dev ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['font-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'none'"]],
  ];
  if (options.delivery === 'header') directives.push(['frame-ancestors', ["'none'"]]);
  return directives;
}

/**
 * The policy of cornerstone-wado-image-loader's decode worker (served under /vendor/, see
 * src/imaging/vite-wado-files.ts) and of nothing else. A dedicated worker loaded from a URL runs
 * under the CSP of its own response, not its creator's, so this relaxes that worker alone. It needs
 * 'unsafe-eval': the Emscripten embind glue of the codecs bundled in its 4.13.2 build creates
 * functions with `new Function` when a codec starts (under the page's policy CharLS, OpenJPEG and
 * libjpeg-turbo fail with an EvalError). It loads its chunks (importScripts) and .wasm (fetch) from
 * its own folder and starts no workers.
 */
export function wadoWorkerCsp(): string {
  return "default-src 'none'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; connect-src 'self'";
}

export function buildCsp(options: CspOptions): string {
  return cspDirectives(options)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

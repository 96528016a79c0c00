import type { ModelManifest } from './manifest';
import { fetchManifestText } from './manifest-cache';
import { ManifestValidationError, validateManifest } from './validate-manifest';

/** Where the app looks for models, best first. The real model wins when it is hosted. */
export function modelCandidates(env: Record<string, string | undefined>, base = '/'): string[] {
  const configured = env.VITE_CXR_MODEL_URL?.trim();
  return [
    ...(configured ? [configured] : []),
    `${base}models/cxr-llava-v2/manifest.json`,
    `${base}models/cxr-llava-tiny/manifest.json`,
  ];
}

export type Discovery =
  | { status: 'found'; manifestUrl: string; manifest: ModelManifest }
  | { status: 'missing'; message: string };

/**
 * Returns the first candidate that serves a manifest. A dev server answers unknown paths with
 * index.html, so a 200 is not enough: the body must parse as a manifest.
 */
export async function discoverModel(
  candidates: string[],
  fetchFn: typeof fetch = fetch,
): Promise<Discovery> {
  const tried: string[] = [];
  for (const url of candidates) {
    try {
      const res = await fetchManifestText(url, fetchFn);
      if (res.status !== 200) {
        tried.push(`${url} (${res.status || 'offline, never loaded here'})`);
        continue;
      }
      const manifest = parseManifest(res.text);
      return { status: 'found', manifestUrl: url, manifest };
    } catch (err) {
      // A manifest that is there but fails the checks stops the search: falling back to another
      // model would hide why the configured one was refused.
      if (err instanceof ManifestValidationError) {
        return { status: 'missing', message: `The model manifest at ${url} was refused: ${err.message}` };
      }
      tried.push(`${url} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return {
    status: 'missing',
    message: `No model manifest was found. Tried: ${tried.join('; ')}. See models/README.md to convert one.`,
  };
}

/**
 * Parses and validates a manifest (untrusted input: see validate-manifest.ts). Throws a plain
 * Error for text that is not a manifest at all (not JSON, no schemaVersion 1), and a
 * ManifestValidationError naming every problem of one that is.
 */
export function parseManifest(text: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('not a JSON manifest');
  }
  if ((json as { schemaVersion?: unknown } | null)?.schemaVersion !== 1) {
    throw new Error('not a CXR-LLaVA model manifest (schemaVersion 1)');
  }
  return validateManifest(json);
}

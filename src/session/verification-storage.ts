import type { CapabilityReport } from '../capabilities/types';
import type { ModelManifest } from '../model/manifest';
import type { SelfCheckResult } from '../selfcheck/run';
import type { LoadedInfo } from '../worker/protocol';

const KEY = 'cxr-llava-selfcheck-v1';

/** A self-check outcome, remembered per device and model. */
export interface StoredCheck {
  at: string;
  result: SelfCheckResult;
}

/**
 * The model: every file's sha256 (so a changed or re-converted folder is checked again), hashed
 * into one short key.
 */
export async function modelKey(manifest: Pick<ModelManifest, 'id' | 'files'>): Promise<string> {
  const text = manifest.files.map((f) => `${f.path}:${f.sha256}`).join('\n');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `${manifest.id}@${Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The device: what runs each stage, and on which adapter. */
export function deviceKey(info: Pick<LoadedInfo, 'backend' | 'visionProvider' | 'visionDtype'>, caps: CapabilityReport | null): string {
  const gpu = caps?.webgpu.available ? `${caps.webgpu.vendor}/${caps.webgpu.architecture}/${caps.webgpu.device}/${caps.webgpu.description}` : 'no-webgpu';
  return `${info.backend}|vision ${info.visionProvider} ${info.visionDtype}|${info.visionProvider === 'webgpu' || info.backend.startsWith('webllm') ? gpu : 'cpu'}`;
}

function readAll(storage: Storage): Record<string, StoredCheck> {
  try {
    const v = JSON.parse(storage.getItem(KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, StoredCheck>) : {};
  } catch {
    return {};
  }
}

export function recallCheck(key: string, storage: Storage = localStorage): StoredCheck | null {
  const c = readAll(storage)[key];
  return c && typeof c.at === 'string' && typeof c.result?.ok === 'boolean' && typeof c.result.summary === 'string' ? c : null;
}

export function rememberCheck(key: string, check: StoredCheck, storage: Storage = localStorage): void {
  const all = readAll(storage);
  // Only the summary is kept: the produced tokens and row figures are for the session that ran it.
  all[key] = { at: check.at, result: { ...check.result, produced: undefined } };
  try {
    storage.setItem(KEY, JSON.stringify(all));
  } catch {
    // Storage full or blocked: the outcome still shows for this session.
  }
}

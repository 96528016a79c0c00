import { MODEL_CACHE } from '../model/artifacts';
import { idbDraftStorage, type DraftPersistence } from './drafts';
import { lengthsStorage } from './lengths-storage';

export interface ClearedData {
  caches: string[];
  databases: string[];
}

/**
 * Cache Storage areas of the model files: the app's own, the service worker's manifest cache,
 * and WebLLM's (and TVM's under it). The app shell's precache stays: it is no data.
 */
export function isModelCache(name: string): boolean {
  return name === MODEL_CACHE || name === MANIFEST_CACHE || name.startsWith('webllm') || name.startsWith('tvmjs');
}

/** vite.config.ts's runtime cache for model manifests. */
const MANIFEST_CACHE = 'cxr-llava-manifests';

export interface LocalDataEnv {
  caches?: Pick<CacheStorage, 'keys' | 'delete'>;
  indexedDB?: Pick<IDBFactory, 'deleteDatabase'> & { databases?: () => Promise<IDBDatabaseInfo[]> };
}

/**
 * "Clear all local data": every draft and every image's lengths, and every downloaded model file
 * (the app's cache and WebLLM's caches and databases). A model already loaded stays in memory until
 * the page closes.
 */
export async function clearAllLocalData(drafts: DraftPersistence | null, env: LocalDataEnv = browserEnv(), lengths = lengthsStorage()): Promise<ClearedData> {
  if (drafts) await drafts.clearAll();
  else await idbDraftStorage().clear();
  await lengths.clear();
  const cleared: ClearedData = { caches: [], databases: [] };
  if (env.caches) {
    for (const name of await env.caches.keys()) {
      if (isModelCache(name) && (await env.caches.delete(name))) cleared.caches.push(name);
    }
  }
  // WebLLM keeps its files in IndexedDB instead when configured so ("webllm/model", ...).
  const idb = env.indexedDB;
  if (idb?.databases) {
    for (const { name } of await idb.databases()) {
      if (name && isModelCache(name)) {
        await deleteDatabase(idb, name);
        cleared.databases.push(name);
      }
    }
  }
  return cleared;
}

function deleteDatabase(idb: Pick<IDBFactory, 'deleteDatabase'>, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = idb.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error(`Could not delete the database ${name}`));
    // Another tab holds it open: it goes when that tab closes; don't wait for it.
    req.onblocked = () => resolve();
  });
}

function browserEnv(): LocalDataEnv {
  return {
    caches: typeof caches !== 'undefined' ? caches : undefined,
    indexedDB: typeof indexedDB !== 'undefined' ? indexedDB : undefined,
  };
}

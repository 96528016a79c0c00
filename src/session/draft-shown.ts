import type { AppStore } from '../state/store';

/**
 * Resolves true once the drafts store (drafts.ts) has put this study's saved draft, or its empty
 * page, on screen; false when another study opens first, or after `timeoutMs`. The model's work on
 * a study waits for this, so it continues what the reader sees rather than racing it.
 */
export function whenDraftShown(store: AppStore, key: string, timeoutMs = 5000): Promise<boolean> {
  if (store.getState().draftFor === key) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(v);
    };
    const unsubscribe = store.subscribe((s) => {
      if (s.draftFor === key) done(true);
      else if (s.study?.key !== key) done(false);
    });
    const timer = setTimeout(() => done(false), timeoutMs);
  });
}

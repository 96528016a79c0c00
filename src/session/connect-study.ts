import type { AppStore } from '../state/store';
import type { SessionController } from './controller';

/** Hands each newly opened study's model input (default-VOI 8-bit grey) to the controller. */
export function connectStudyToModel(store: AppStore, controller: SessionController): () => void {
  let last: string | null = null;
  return store.subscribe((s) => {
    const key = s.study?.key ?? null;
    if (key === last) return;
    last = key;
    controller.setImage(key ?? '', s.study?.modelInput ?? null, s.study?.openedAt);
  });
}

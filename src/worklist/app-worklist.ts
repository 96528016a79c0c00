import { openInstance, showInstanceBeside } from '../hospital/open-from-server';
import { decodeInWorker } from '../imaging';
import type { SessionController } from '../session/controller';
import { idbDraftStorage } from '../session/drafts';
import type { AppStore } from '../state/store';
import { openImageFiles } from '../ui/viewer/open-file';
import { Worklist } from './worklist';

const lists = new WeakMap<AppStore, Worklist>();

/** The app's worklist (one per app store), wired to the decode worker, the intake and IndexedDB drafts. */
export function worklistFor(app: AppStore, controller: SessionController): Worklist {
  let w = lists.get(app);
  if (!w) {
    w = new Worklist(app, controller, { drafts: idbDraftStorage(), decode: decodeInWorker, openFiles: openImageFiles, openInstance, showInstanceBeside });
    lists.set(app, w);
  }
  return w;
}

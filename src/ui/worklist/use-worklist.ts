import { useStore } from 'zustand';
import { worklistFor } from '../../worklist/app-worklist';
import type { Worklist } from '../../worklist/worklist';
import type { WorklistState } from '../../worklist/worklist-store';
import { useController } from '../controller-context';
import { useAppStoreApi } from '../store-context';

export function useWorklist(): Worklist {
  return worklistFor(useAppStoreApi(), useController());
}

export function useWorklistState<T>(selector: (s: WorklistState) => T): T {
  return useStore(useWorklist().store, selector);
}

import { openInstance, showInstanceBeside } from '../../hospital/open-from-server';
import type { InstanceRow } from '../../dicomweb/records';
import { instanceFileName, instanceLabel } from '../../hospital/study-images';
import { useAppStore, useAppStoreApi } from '../store-context';
import { useHospital, useHospitalApi } from './use-hospital';

/**
 * The study chosen to open from the server (the study browser's, or a prior's): its images being
 * listed, why it cannot be opened, a button per image when it has several that could be the one
 * (and, while one of them is open, one to show another beside it), and the image being retrieved.
 * `testIds`: the study browser's (the e2e tests find them there).
 */
export function ChosenStudy({ testIds = false }: { testIds?: boolean }) {
  const app = useAppStoreApi();
  const h = useHospitalApi();
  const chosen = useHospital((s) => s.chosen);
  const opening = useHospital((s) => s.opening);
  const openFile = useAppStore((s) => s.study?.fileName ?? null);
  const besideName = useHospital((s) => (s.compare?.prior === null ? s.compare.name : null));
  const studyOpen = (all: InstanceRow[]) => all.some((o) => instanceFileName(o) === openFile);
  return (
    <>
      {chosen?.instances.status === 'busy' && <p role="status">{chosen.instances.what}</p>}
      {chosen?.instances.status === 'error' && (
        <p role="alert" className="dicomweb-error" data-testid={testIds ? 'dicomweb-error' : undefined} data-code={chosen.instances.code}>
          {chosen.instances.message}
        </p>
      )}
      {chosen?.instances.status === 'done' && chosen.instances.value.length > 1 && (
        <ul className="dicomweb-instances" aria-label="Images in the study">
          {chosen.instances.value.map((i, n, all) => {
            const label = instanceLabel(all, i);
            return (
              <li key={i.sopUID}>
                <button type="button" data-sop-uid={i.sopUID} onClick={() => void openInstance(app, h, i)}>
                  Open image {i.instanceNumber ?? n + 1} ({i.modality}
                  {i.viewPosition ? ` ${i.viewPosition}` : ''}
                  {i.seriesDescription ? `, ${i.seriesDescription}` : ''}
                  {i.frames > 1 ? `, ${i.frames} frames` : ''})
                </button>
                {studyOpen(all) && instanceFileName(i) !== openFile && (
                  <button
                    type="button"
                    aria-label={`Show ${label} beside the open image`}
                    aria-pressed={besideName === label}
                    onClick={() => (besideName === label ? h.getState().set({ compare: null }) : void showInstanceBeside(app, h, all, i))}
                  >
                    Beside
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {opening.status === 'busy' && (
        <p role="status" data-testid={testIds ? 'dicomweb-opening' : undefined}>
          {opening.what}
        </p>
      )}
      {opening.status === 'error' && (
        <p role="alert" className="dicomweb-error" data-testid={testIds ? 'dicomweb-error' : undefined} data-code={opening.code}>
          {opening.message}
        </p>
      )}
    </>
  );
}

import { openInstance } from '../../hospital/open-from-server';
import { useAppStoreApi } from '../store-context';
import { useHospital, useHospitalApi } from './use-hospital';

/**
 * The study chosen to open from the server (the study browser's, or a prior's): its images being
 * listed, why it cannot be opened, a button per image when it has several that could be the one,
 * and the image being retrieved. `testIds`: the study browser's (the e2e tests find them there).
 */
export function ChosenStudy({ testIds = false }: { testIds?: boolean }) {
  const app = useAppStoreApi();
  const h = useHospitalApi();
  const chosen = useHospital((s) => s.chosen);
  const opening = useHospital((s) => s.opening);
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
          {chosen.instances.value.map((i, n) => (
            <li key={i.sopUID}>
              <button type="button" data-sop-uid={i.sopUID} onClick={() => void openInstance(app, h, i)}>
                Open image {i.instanceNumber ?? n + 1} ({i.modality}
                {i.viewPosition ? ` ${i.viewPosition}` : ''}
                {i.seriesDescription ? `, ${i.seriesDescription}` : ''}
                {i.frames > 1 ? `, ${i.frames} frames` : ''})
              </button>
            </li>
          ))}
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

import { DicomwebError } from '../dicomweb/errors';
import type { InstanceRow, StudyRow } from '../dicomweb/records';
import { DicomwebServer } from '../dicomweb/server';
import { frontalRank } from '../imaging/choose-frontal';
import type { AppStore } from '../state/store';
import { openImageFile, showImageBeside } from '../ui/viewer/open-file';
import { lookUpFiledLengths } from './filed-lengths';
import type { HospitalStore } from './hospital-store';
import { besideInstance, instanceFileName, instanceLabel } from './study-images';

function fail(h: HospitalStore, key: 'search' | 'opening', err: unknown): void {
  const code = err instanceof DicomwebError ? err.code : 'failed';
  h.getState().set({ [key]: { status: 'error', code, message: err instanceof Error ? err.message : String(err) } });
}

export async function searchStudies(h: HospitalStore): Promise<void> {
  const { connection, query, set } = h.getState();
  set({ search: { status: 'busy', what: 'Searching…' }, chosen: null });
  try {
    const rows = await new DicomwebServer(connection).searchStudies(query);
    set({ search: { status: 'done', value: rows } });
  } catch (err) {
    fail(h, 'search', err);
  }
}

/**
 * Lists the study's CR/DX images (frontal views first); with exactly one image, or exactly one
 * frontal view (a PA and a lateral), opens it straight away: that is the one CXR-LLaVA reads. The
 * others stay listed to open.
 */
export async function chooseStudy(app: AppStore, h: HospitalStore, study: StudyRow): Promise<void> {
  const { connection, query, set } = h.getState();
  set({ chosen: { study, instances: { status: 'busy', what: 'Listing images…' } } });
  let instances: InstanceRow[];
  try {
    instances = await new DicomwebServer(connection).imageInstances(study.studyUID, query.modalities.length ? query.modalities : undefined);
  } catch (err) {
    const code = err instanceof DicomwebError ? err.code : 'failed';
    set({ chosen: { study, instances: { status: 'error', code, message: err instanceof Error ? err.message : String(err) } } });
    return;
  }
  set({ chosen: { study, instances: { status: 'done', value: instances } } });
  const frontal = instances.filter((i) => frontalRank(i.viewPosition) <= 1);
  const only = instances.length === 1 ? instances[0] : frontal.length === 1 ? frontal[0] : undefined;
  if (!only || !(await openInstance(app, h, only))) return;
  // The setting "Show the other view beside…": hung as they open, as for files given together.
  const other = app.getState().settings.besideOnOpen ? besideInstance(instances, only) : undefined;
  if (other) await showInstanceBeside(app, h, instances, other);
}

/** Retrieves another image of the open study (WADO-RS) into the side viewer; the open image stays. */
export function showInstanceBeside(app: AppStore, h: HospitalStore, instances: InstanceRow[], instance: InstanceRow): Promise<void> {
  const { connection } = h.getState();
  return showImageBeside(app, instanceLabel(instances, instance), async () => ({ bytes: await new DicomwebServer(connection).retrieve(instance), name: instanceFileName(instance) }));
}

/**
 * Retrieves one instance (WADO-RS) and opens it exactly as a dropped file is opened (decode
 * worker, viewer, model input, its header kept for the report SR) and marks it as from the server.
 */
export async function openInstance(app: AppStore, h: HospitalStore, instance: InstanceRow): Promise<boolean> {
  const { connection, set, markOpened } = h.getState();
  set({ opening: { status: 'busy', what: `Retrieving ${instance.modality} image…` } });
  let bytes: ArrayBuffer;
  try {
    bytes = await new DicomwebServer(connection).retrieve(instance);
  } catch (err) {
    fail(h, 'opening', err);
    return false;
  }
  const name = instanceFileName(instance);
  await openImageFile(app, new File([bytes], name, { type: 'application/dicom' }));
  const s = app.getState();
  if (s.study?.fileName !== name) {
    // The intake shows why (decode error) or a later file won; nothing to remember.
    set({ opening: { status: 'idle' } });
    return false;
  }
  // openImageFile kept the file's header for the SR; the study came from the server.
  const { opened } = h.getState();
  markOpened(s.study.key, { ...(opened[s.study.key] ?? { source: null, sourceProblem: 'The image header was not kept.' }), origin: 'server' });
  set({ opening: { status: 'done', value: s.study.key } });
  void lookUpFiledLengths(h, s.study.key, instance.studyUID, instance.sopUID);
  return true;
}

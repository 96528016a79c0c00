import type { MetaField } from './types';

/** A metadata row's value, trimmed and upper case; '' when the file does not give it ('—'). */
export function metaValue(meta: readonly MetaField[], key: string): string {
  const v = meta.find((m) => m.key === key)?.value.trim().toUpperCase() ?? '';
  return v === '—' ? '' : v;
}

/**
 * Whether the file says it is what CXR-LLaVA reads: a frontal chest radiograph. The model writes a
 * report for any image, one that reads like a chest report: for a CT slice, a hand film or a
 * lateral view it means nothing. The DICOM header often says what the image is; then the report
 * panel says so before anyone reads the report. (PNG and JPEG say nothing: no warning.)
 */
export function modelFitWarning(meta: readonly MetaField[]): string | null {
  const value = (key: string) => metaValue(meta, key);
  const reasons: string[] = [];
  const modality = value('modality');
  // CR and DX are radiographs; OT and SC (secondary capture: a scanned film, a converted image) say nothing.
  if (modality && !['CR', 'DX', 'DR', 'OT', 'SC'].includes(modality)) reasons.push(`${MODALITIES[modality] ?? 'not a radiograph'} (Modality ${modality})`);
  const bodyPart = value('bodyPart');
  if (bodyPart && !/CHEST|THORAX|LUNG/.test(bodyPart)) reasons.push(`of the ${bodyPart.toLowerCase().replace(/_/g, ' ')}, not the chest (Body Part Examined ${bodyPart})`);
  const view = value('viewPosition');
  if (['LATERAL', 'LAT', 'LL', 'RL'].includes(view)) reasons.push(`a lateral view, not a frontal one (View Position ${view})`);
  if (!reasons.length) return null;
  return `The file says this image is ${reasons.join('; ')}. CXR-LLaVA was trained on frontal chest radiographs: a report on this image is not meaningful.`;
}

const MODALITIES: Record<string, string> = {
  CT: 'a CT image',
  MR: 'an MR image',
  US: 'an ultrasound image',
  MG: 'a mammogram',
  NM: 'a nuclear medicine image',
  PT: 'a PET image',
  XA: 'an angiogram',
  RF: 'a fluoroscopy image',
  IO: 'an intra-oral dental radiograph',
  PX: 'a panoramic dental radiograph',
  ES: 'an endoscopy image',
  XC: 'a photograph',
};

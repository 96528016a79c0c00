import type { DataSet } from './dicom-parser-interop';
import { INDICATION_TAGS } from './peek-header';
import { syntaxName } from './transfer-syntax';
import type { MetaField } from './types';

/** A header string, trimmed; one value of a multi-valued one by `index`; empty when absent. */
export function str(ds: DataSet, tag: string, index?: number): string {
  // Not ds.string(tag, index): it throws a TypeError when the element has fewer values than index.
  const value = ds.string(tag) ?? '';
  return (index === undefined ? value : (value.split('\\')[index] ?? '')).trim();
}

/**
 * What a DICOM header says about the image, for the Image information panel, the exports (only the
 * fields not marked identifying, picked by name: report/context.ts) and report phrases' fields.
 */
export function metaFields(ds: DataSet, width: number, height: number, bitsStored: number, bitsAllocated: number, photometric: string, ts: string, frames: number, decoder: string): MetaField[] {
  const f = (key: string, label: string, value: string, identifying = false): MetaField => ({ key, label, value: value || '—', identifying });
  const both = (tag: string) => `${str(ds, tag, 0)} \\ ${str(ds, tag, 1)} mm`;
  const ermf = str(ds, 'x00181114');
  const spacing = [
    str(ds, 'x00280030') ? both('x00280030') : '',
    str(ds, 'x00181164') ? `${both('x00181164')} (imager)` : '',
    ermf ? `magnification factor ${ermf}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const date = str(ds, 'x00080020');
  return [
    f('modality', 'Modality', str(ds, 'x00080060')),
    f('viewPosition', 'View position', str(ds, 'x00185101')),
    f('patientOrientation', 'Patient orientation (rows \\ columns)', str(ds, 'x00200020')),
    f('bodyPart', 'Body part examined', str(ds, 'x00180015')),
    f('size', 'Size', `${width} × ${height}${frames > 1 ? ` (${frames} frames)` : ''}`),
    f('pixelSpacing', 'Pixel spacing', spacing),
    f('bits', 'Bits stored / allocated', `${bitsStored} / ${bitsAllocated}`),
    f('photometric', 'Photometric interpretation', photometric),
    f('transferSyntax', 'Transfer syntax', `${syntaxName(ts)} (${ts})`),
    f('decoder', 'Pixel decoder', decoder),
    f('studyDate', 'Study date', /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date),
    f('studyDescription', 'Study description', str(ds, 'x00081030')),
    // Why the study was asked for, from the tags an order carries it in (report phrases' {indication}).
    f('indication', 'Reason for the study', INDICATION_TAGS.map((t) => str(ds, t)).find(Boolean) ?? ''),
    f('patientName', 'Patient name', str(ds, 'x00100010').replace(/\^+/g, ' ').trim(), true),
    f('patientId', 'Patient ID', str(ds, 'x00100020'), true),
    f('birthDate', 'Birth date', str(ds, 'x00100030'), true),
    f('sex', 'Sex', str(ds, 'x00100040'), true),
    f('accession', 'Accession number', str(ds, 'x00080050'), true),
    f('institution', 'Institution', str(ds, 'x00080080'), true),
  ];
}

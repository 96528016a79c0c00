import { describe, expect, it } from 'vitest';
import type { InstanceRow } from '../dicomweb/records';
import { besideInstance, instanceFileName, instanceLabel } from './study-images';

const row = (sopUID: string, viewPosition: string | null, instanceNumber: number | null = null): InstanceRow => ({
  studyUID: '1.2',
  seriesUID: '1.2.3',
  sopUID,
  modality: 'DX',
  seriesDescription: '',
  instanceNumber,
  viewPosition,
  frames: 1,
  rows: 2048,
  columns: 2048,
  bitsAllocated: 16,
});

describe("a server study's images", () => {
  it('hangs the lateral beside the PA, whichever order the server lists them in', () => {
    const pa = row('1', 'PA');
    const lat = row('2', 'LATERAL');
    expect(besideInstance([pa, lat], pa)).toBe(lat);
    expect(besideInstance([lat, pa], pa)).toBe(lat);
    // Opened the other way round, the PA goes beside the lateral.
    expect(besideInstance([pa, lat], lat)).toBe(pa);
    // Views that are not frontal go last; among several, the last listed.
    const ap = row('3', 'AP');
    const ll = row('4', 'LL');
    const unknown = row('5', null);
    expect(besideInstance([ll, ap, pa, unknown], pa)).toBe(ll);
    expect(besideInstance([pa], pa)).toBeUndefined();
  });

  it('names each image as its row does, and by a file name with no identifier but its UID', () => {
    const pa = row('1.2.826.9', 'PA', 3);
    const unnumbered = row('7', null);
    expect(instanceLabel([pa, unnumbered], pa)).toBe('image 3 (DX PA)');
    expect(instanceLabel([pa, unnumbered], unnumbered)).toBe('image 2 (DX)');
    expect(instanceFileName(pa)).toBe('DX-1.2.826.9.dcm');
  });
});

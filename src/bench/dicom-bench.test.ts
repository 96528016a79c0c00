import { describe, expect, it } from 'vitest';
import { runDicomBench } from './dicom-bench';

describe('runDicomBench', () => {
  it('decodes, windows and preprocesses the same 16-bit DICOM as pydicom + PIL, and times both', async () => {
    const r = await runDicomBench({ width: 900, height: 700, runs: 3, warmup: 1 });
    expect(r.file).toEqual({ width: 900, height: 700, bytes: expect.any(Number), transferSyntax: 'Explicit VR Little Endian (1.2.840.10008.1.2.1)', bitsStored: 12 });
    expect(r.file.bytes).toBeGreaterThan(900 * 700 * 2);
    expect(r.typescript.runsMs).toHaveLength(3);
    expect(r.python.runsMs).toHaveLength(3);
    expect(r.typescript.stagesMedianMs.decode).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.typescript.medianMs / r.python.medianMs);
    // The same window arithmetic and PIL-exact LANCZOS: the crops agree to the pixel.
    expect(r.parity).toEqual({ maxDiff: 0, differingPixels: 0 });
  }, 120_000);
});

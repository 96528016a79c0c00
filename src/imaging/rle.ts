/**
 * DICOM RLE Lossless (PS3.5 G.3): a 64-byte header of up to 15 segment offsets, then one PackBits
 * segment per byte plane (most significant byte first, then per sample). Returns the frame as
 * interleaved samples: bytes for 8-bit, little-endian 16-bit words packed as bytes for 16-bit.
 */
export function decodeRle(frame: Uint8Array, width: number, height: number, samples: number, bitsAllocated: number): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.length < 64) throw new Error('RLE frame is shorter than its header');
  const segments = view.getUint32(0, true);
  const bytesPerSample = bitsAllocated / 8;
  if (segments !== samples * bytesPerSample) {
    throw new Error(`RLE frame has ${segments} segments, expected ${samples * bytesPerSample}`);
  }
  const pixels = width * height;
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    const sample = Math.floor(s / bytesPerSample);
    // Segment order is most significant byte first; output words are little-endian.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = samples * bytesPerSample;
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (frame[i++]! << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && written < pixels && i < end; k++, written++, o += stride) out[o] = frame[i++]!;
      } else if (n !== -128) {
        const v = frame[i++]!;
        for (let k = 0; k < 1 - n && written < pixels; k++, written++, o += stride) out[o] = v;
      }
    }
    if (written < pixels) throw new Error(`RLE segment ${s + 1} ends early`);
  }
  return out;
}

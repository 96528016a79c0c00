/**
 * Test helper (unit and e2e tests; the app never imports it): finds the raw float data of an ONNX
 * file's initializers so a test can corrupt weights while the file stays a valid model, as a
 * silently damaged download or a bad conversion would.
 *
 * Walks the protobuf wire format: ModelProto.graph (7) -> GraphProto.initializer (5) ->
 * TensorProto.name (8) / raw_data (9).
 */
export interface InitializerData {
  name: string;
  /** Byte offset and length of raw_data in the file. */
  offset: number;
  length: number;
}

function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const byte = b[at++]!;
    v += (byte & 0x7f) * mul;
    if (!(byte & 0x80)) return [v, at];
    mul *= 128;
  }
}

/** Calls visit(field, start, end) for each length-delimited field in [start, end). */
function fields(b: Uint8Array, start: number, end: number, visit: (field: number, s: number, e: number) => void): void {
  let at = start;
  while (at < end) {
    const [key, next] = varint(b, at);
    at = next;
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        at = varint(b, at)[1];
        break;
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      case 2: {
        const [len, s] = varint(b, at);
        visit(field, s, s + len);
        at = s + len;
        break;
      }
      default:
        throw new Error(`unsupported protobuf wire type ${key & 7} at ${at}`);
    }
  }
}

export function onnxInitializers(bytes: Uint8Array): InitializerData[] {
  const out: InitializerData[] = [];
  fields(bytes, 0, bytes.length, (f, s, e) => {
    if (f !== 7) return;
    fields(bytes, s, e, (g, gs, ge) => {
      if (g !== 5) return;
      let name = '';
      let raw: [number, number] | null = null;
      fields(bytes, gs, ge, (t, ts, te) => {
        if (t === 8) name = new TextDecoder().decode(bytes.subarray(ts, te));
        if (t === 9) raw = [ts, te - ts];
      });
      if (raw) out.push({ name, offset: raw[0], length: raw[1] });
    });
  });
  return out;
}

/** Multiplies every float32 of the largest initializer by `factor` (in place). Returns its name. */
export function corruptLargestInitializer(bytes: Uint8Array, factor: number): string {
  const init = onnxInitializers(bytes).sort((a, b) => b.length - a.length)[0];
  if (!init) throw new Error('the ONNX file has no raw_data initializers');
  const view = new DataView(bytes.buffer, bytes.byteOffset + init.offset, init.length);
  for (let i = 0; i + 4 <= init.length; i += 4) view.setFloat32(i, view.getFloat32(i, true) * factor, true);
  return init.name;
}

// `eval --images DIR [--reports REF.csv | --labels LABELS.csv] ...`: batch reports for a folder of
// images, CheXpert-style labels, and the paper's per-finding metrics (src/eval/run-eval.ts).
import { EVAL_USAGE, parseEvalArgs } from '../../eval/eval-args';
import { consoleIo, runEval, type EvalIo, type GeneratorFactory } from '../../eval/run-eval';
import { decodePgm, isPgm } from '../../preprocess/pgm';
import type { GrayDecoder } from '../../preprocess/types';

export { EVAL_USAGE } from '../../eval/eval-args';

/** PGM here; PNG, JPEG and DICOM through the imaging module's Node decoder (loaded on first use). */
export const decodeAnyImage: GrayDecoder = async (bytes, name) => {
  if (isPgm(bytes)) return decodePgm(bytes);
  const { decodeToGray } = await import('../../imaging/decode-node');
  return decodeToGray(bytes, name);
};

/** 0 when every selected image has a report, 1 when some failed (a rerun retries them), 2 on bad usage. */
export async function evalCommand(args: string[], decode: GrayDecoder = decodeAnyImage, io: EvalIo = consoleIo, makeGenerator?: GeneratorFactory): Promise<number> {
  const opts = parseEvalArgs(args);
  if (typeof opts === 'string') {
    io.log(`${opts}\n\n${EVAL_USAGE}`);
    return 2;
  }
  const summary = await runEval(opts, decode, io, makeGenerator);
  return summary.failed.length ? 1 : 0;
}

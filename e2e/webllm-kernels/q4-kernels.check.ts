import { describe, expect, it } from 'vitest';
import { runKernelCheck } from './kernel-check';

/**
 * The 4-bit numbers on real MLC kernels: random TinyLlama-1.1B-shaped weights written by our
 * writer, loaded by web-llm 0.2.79 with a real compiled library, driven by the app's own
 * WebLlmDecoderBackend (text embeddings + injected image rows, chunked prefill, decode,
 * kv_state_popn), compared with float32 PyTorch on the dequantised weights.
 * See e2e/webllm-kernels/README.md; `npm run check:kernels` runs it (not part of `npm test`).
 */
describe('q4f32_1 weights from models/mlc_weights.py on a compiled WebLLM library', () => {
  it('gives the logits PyTorch computes on the dequantised weights', { timeout: 40 * 60_000 }, async () => {
    const r = await runKernelCheck((line) => console.log(`[kernels] ${line}`));
    console.log(`[kernels] ${JSON.stringify(r, null, 1)}`);
    expect(r.adapter).not.toBe('none');
    expect(r.libPrefillChunk).toBe(1024); // the library's own, from its metadata
    expect(r.afterPrefill).toBe(7);
    expect(r.finalLength).toBe(8);
    // Our weights and the injected rows on the real kernels: every prompt that reaches the cache
    // in ONE prefill (then decodes) gives PyTorch's logits.
    for (const name of ['text, one forward', 'text + rows + text, one forward', 'text, 4 then 1 (decode)']) {
      const c = r.reference.isolate[name]!;
      expect(c.cosine, name).toBeGreaterThan(0.9999);
      expect(c.argmax, name).toBe(c.refArgmax);
    }
    // A prefill on top of cached positions (a chunked prompt) is computed by the backend exactly as
    // web-llm 0.2.79 computes it itself with the same chunks, whatever that gives on this library
    // (measured: not PyTorch's logits on SwiftShader; see docs/webllm-kernels.md).
    expect(r.chunkedVsWebllm).not.toBeNull();
    expect(r.chunkedVsWebllm!).toBeLessThan(1e-5);
    const own = Object.entries(r.reference.isolate).find(([k]) => k.includes('own'))![1];
    console.log(`[kernels] chunked prefill vs PyTorch (cosine): the backend ${r.reference.isolate['text, chunks of 2']!.cosine}, web-llm's own ${own.cosine}, the main run ${r.reference.steps.prefill.cosine}`);
    // The injected rows mattered: without them the reference is clearly different.
    expect(r.reference.withoutInjectedRows.cosine).toBeLessThan(0.99);
    // kv_state_popn is in this library: trimming is in place and the position decodes the same.
    expect(r.trimsInPlace).toBe(true);
    expect(r.redecodeMaxAbsDiff).toBeLessThan(1e-4);
  });
});

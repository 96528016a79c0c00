import type { WebTokenizerClass } from './tokenizer';

/**
 * @mlc-ai/web-tokenizers is a UMD file in a "type": "module" package; bundlers expose it either as
 * a module export or, when its UMD wrapper falls through, as `globalThis.tokenizers`.
 */
export async function loadWebTokenizers(): Promise<WebTokenizerClass> {
  const mod = (await import('@mlc-ai/web-tokenizers')) as unknown as { Tokenizer?: WebTokenizerClass; default?: { Tokenizer?: WebTokenizerClass } };
  const found = mod.Tokenizer ?? mod.default?.Tokenizer ?? (globalThis as { tokenizers?: { Tokenizer?: WebTokenizerClass } }).tokenizers?.Tokenizer;
  if (!found) throw new Error('@mlc-ai/web-tokenizers did not load (no Tokenizer export)');
  return found;
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadWebTokenizersNode } from '../node/web-tokenizers';
import { createTokenizer, type TextTokenizer } from './tokenizer';

/** The LLaMA-2 tokenizer.json bundled with the demo model (models/llama2_tokenizer_json.py). */
export const LLAMA2_TOKENIZER_JSON = fileURLToPath(new URL('../../public/models/cxr-llava-tiny/tokenizer.json', import.meta.url));

let cached: Promise<TextTokenizer> | undefined;
export function llama2Tokenizer(): Promise<TextTokenizer> {
  cached ??= createTokenizer(loadWebTokenizersNode(), readFileSync(LLAMA2_TOKENIZER_JSON));
  return cached;
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadWebTokenizersNode } from '../node/web-tokenizers';
import { createTokenizer, type TextTokenizer } from './tokenizer';

/** The LLaMA-2 tokenizer.json bundled with the demo model (models/llama2_tokenizer_json.py). */
export const LLAMA2_TOKENIZER_JSON = fileURLToPath(new URL('../../public/models/cxr-llava-tiny/tokenizer.json', import.meta.url));

const cached = new Map<boolean, Promise<TextTokenizer>>();
/** legacy: transformers' LlamaTokenizer flag (true: a dummy "▁" after every special token). */
export function llama2Tokenizer({ legacy = true }: { legacy?: boolean } = {}): Promise<TextTokenizer> {
  let t = cached.get(legacy);
  if (!t) {
    t = createTokenizer(loadWebTokenizersNode(), readFileSync(LLAMA2_TOKENIZER_JSON), { legacy });
    cached.set(legacy, t);
  }
  return t;
}

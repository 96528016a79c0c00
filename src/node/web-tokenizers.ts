import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { WebTokenizerClass } from '../generate/tokenizer';

/**
 * Node cannot import @mlc-ai/web-tokenizers as published: it is a UMD (CommonJS-style) file inside
 * a "type": "module" package, so Node parses it as ESM and its `require` calls fail. Loaded from a
 * `.cjs` copy of the same file it runs unchanged.
 */
export function loadWebTokenizersNode(): WebTokenizerClass {
  const require = createRequire(import.meta.url);
  const source = require.resolve('@mlc-ai/web-tokenizers');
  const { version } = require('@mlc-ai/web-tokenizers/package.json') as { version: string };
  const cacheDir = join(dirname(require.resolve('@mlc-ai/web-tokenizers/package.json')), '..', '..', '.cache', 'cxr-llava-web');
  const copy = join(cacheDir, `web-tokenizers-${version}.cjs`);
  if (!existsSync(copy)) {
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(source, copy);
  }
  return (require(copy) as { Tokenizer: WebTokenizerClass }).Tokenizer;
}

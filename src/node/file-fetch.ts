import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** fetch() for Node that also reads file: URLs, so a local model folder loads like a hosted one. */
export const fileFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (!url.startsWith('file:')) return fetch(input, init);
  try {
    const bytes = await readFile(fileURLToPath(url));
    return new Response(bytes, { status: 200 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return new Response(String(err), { status: code === 'ENOENT' ? 404 : 500, statusText: code ?? 'error' });
  }
};

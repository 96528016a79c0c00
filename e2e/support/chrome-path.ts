import { existsSync } from 'node:fs';

/** The browser the e2e tests drive: CHROME_PATH, else a system Chromium/Chrome. Never downloaded. */
export function findChrome(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [
    env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
  ];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

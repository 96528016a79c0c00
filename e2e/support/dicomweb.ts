import type { Page } from 'playwright-core';
import { openPanel } from './reading-room';
import type { LoggedRequest } from './request-log';

/** How the app signs in to the DICOMweb server in a test (typed into the study browser). */
export type TestSignIn = { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

/** Opens the study browser and types the sign-in (kept in the tab's memory only). */
export async function signIn(page: Page, auth: TestSignIn): Promise<void> {
  await openPanel(page, 'studies');
  const browser = page.getByTestId('study-browser');
  await browser.getByLabel('Sign-in').selectOption(auth.kind);
  if (auth.kind === 'basic') {
    await browser.getByLabel('User name', { exact: true }).fill(auth.user);
    await browser.getByLabel('Password', { exact: true }).fill(auth.password);
  } else {
    await browser.getByLabel('Token', { exact: true }).fill(auth.token);
  }
}

/** A QIDO-RS search from the study browser's form. */
export async function searchStudies(page: Page, q: { patientId?: string; modalities?: string }): Promise<void> {
  const form = page.getByRole('form', { name: 'Search studies' });
  await form.getByLabel('Patient ID').fill(q.patientId ?? '');
  if (q.modalities !== undefined) await form.getByLabel('Modalities').fill(q.modalities);
  await form.getByRole('button', { name: 'Search studies' }).click();
}

/** Every form a credential could leak in: as typed, URL-encoded, and as a Basic header's value. */
export function secretForms(auth: TestSignIn): string[] {
  if (auth.kind === 'bearer') return [auth.token, encodeURIComponent(auth.token)];
  return [auth.password, encodeURIComponent(auth.password), Buffer.from(`${auth.user}:${auth.password}`).toString('base64')];
}

/** Everything the page keeps: localStorage and every IndexedDB store's values, as one string. */
export async function keptInPage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const local = JSON.stringify({ ...localStorage });
    const values: string[] = [];
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((res, rej) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        values.push(JSON.stringify(all));
      }
      db.close();
    }
    return local + values.join('');
  });
}

/**
 * Where a credential showed up that it must not: a request URL, a console line, or what the page
 * keeps (localStorage, IndexedDB). Empty when none did. (The Authorization header is where it
 * belongs and is not looked at.)
 */
export async function credentialLeaks(o: { auth: TestSignIn; requests: LoggedRequest[]; logs: string[]; page: Page }): Promise<string[]> {
  const secrets = secretForms(o.auth);
  const leaks: string[] = [];
  for (const r of o.requests) for (const s of secrets) if (r.url.includes(s)) leaks.push(`URL ${r.method} ${r.url}`);
  for (const l of o.logs) for (const s of secrets) if (l.includes(s)) leaks.push(`console: ${l}`);
  const kept = await keptInPage(o.page);
  for (const s of secrets) if (kept.includes(s)) leaks.push(`storage holds a ${o.auth.kind} credential`);
  return leaks;
}

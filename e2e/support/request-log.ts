import type { BrowserContext } from 'playwright-core';

export interface LoggedRequest {
  url: string;
  method: string;
  resourceType: string;
  /** The service worker, or a page / its dedicated workers (Playwright does not tell those apart). */
  from: 'page-or-worker' | 'service-worker';
  body: Buffer | null;
}

/**
 * Records every request a browser context makes: pages, their dedicated workers (Chromium reports
 * those on the context) and service workers, plus WebSockets. Call before the first navigation.
 */
export function recordRequests(context: BrowserContext): { requests: LoggedRequest[]; websockets: string[] } {
  const requests: LoggedRequest[] = [];
  const websockets: string[] = [];
  context.on('request', (r) => {
    requests.push({ url: r.url(), method: r.method(), resourceType: r.resourceType(), from: r.serviceWorker() ? 'service-worker' : 'page-or-worker', body: r.postDataBuffer() });
  });
  context.on('page', (page) => page.on('websocket', (ws) => websockets.push(ws.url())));
  return { requests, websockets };
}

/** The origin a request goes to; blob: URLs belong to the origin that made them; data: goes nowhere. */
export function requestOrigin(url: string): string | null {
  if (url.startsWith('data:')) return null;
  const u = new URL(url);
  if (u.protocol === 'blob:') return new URL(u.pathname).origin;
  return u.origin;
}

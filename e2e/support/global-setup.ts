import type { TestProject } from 'vitest/node';
import { buildAndServe, type ServedBuild } from './serve-build';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

let served: ServedBuild | undefined;

/**
 * The e2e tests run against the production build served by `vite preview` (with the same
 * COOP/COEP headers a user gets), so what is tested is what ships.
 */
export default async function setup(project: TestProject) {
  served = await buildAndServe();
  project.provide('baseURL', served.baseURL);
  return async () => {
    await served?.close();
  };
}

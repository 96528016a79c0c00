import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startOrthanc, type Orthanc } from './orthanc';
import { buildAndServe, type ServedBuild } from './serve-build';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    /** The production build that baseURL serves, for tests that serve it again differently. */
    distDir: string;
    /** The test run's own Orthanc (REST root) and the basic-auth user the app signs in as. */
    orthanc: { url: string; user: string; password: string; authorization: string };
  }
}

let served: ServedBuild | undefined;
let orthanc: Orthanc | undefined;

/**
 * The e2e tests run against the production build served by `vite preview` (with the same
 * COOP/COEP headers a user gets), so what is tested is what ships. A real Orthanc (DICOMweb
 * plugin, private storage, loopback) starts first; the preview server forwards its DICOMweb root
 * under /dicomweb on the app's origin, as a hospital's reverse proxy would.
 */
export default async function setup(project: TestProject) {
  const user = 'radiologist';
  const password = randomBytes(9).toString('base64url');
  orthanc = await startOrthanc({ users: { [user]: password } });
  process.env.CXR_DICOMWEB_PROXY_TARGET = orthanc.dicomweb;
  try {
    served = await buildAndServe();
  } catch (err) {
    await orthanc.close();
    throw err;
  }
  project.provide('baseURL', served.baseURL);
  project.provide('distDir', served.outDir);
  project.provide('orthanc', { url: orthanc.url, user, password, authorization: orthanc.authorization ?? '' });
  return async () => {
    await served?.close();
    await orthanc?.close();
  };
}

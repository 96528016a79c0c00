import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's orthanc and orthanc-dicomweb packages (e2e/tools/ensure-system-deps.mjs installs them). */
export const ORTHANC_BIN = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancOptions {
  /** Basic-auth users; with none, the server asks for no credentials. */
  users?: Record<string, string>;
}

export interface OrthancRest {
  /** REST root, e.g. http://127.0.0.1:41234 */
  url: string;
  /** DICOMweb root (QIDO/WADO/STOW), e.g. http://127.0.0.1:41234/dicom-web */
  dicomweb: string;
  /** The Authorization header the harness itself uses (first user), if any. */
  authorization: string | undefined;
  /** Stores one DICOM file through the REST API; returns Orthanc's ids for it. */
  upload(bytes: Uint8Array): Promise<{ instance: string; study: string; series: string }>;
  /** GET on the REST API (as JSON). */
  get<T = unknown>(path: string): Promise<T>;
  /** GET on the REST API (raw bytes), e.g. /instances/{id}/file. */
  getBytes(path: string): Promise<Uint8Array>;
  /** A copy of a stored instance with some attributes replaced (Orthanc's /modify; not stored). */
  modified(id: string, replace: Record<string, string>): Promise<Uint8Array>;
  /** Orthanc's ids of the instances with this SOP Instance UID (/tools/find). */
  findInstance(sopInstanceUID: string): Promise<string[]>;
}

export interface Orthanc extends OrthancRest {
  close(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (Orthanc takes a fixed port from its config). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A real Orthanc with the DICOMweb plugin, private to one test run: its own temporary storage and
 * configuration, HTTP on a free port, no DICOM (DIMSE) listener, remote access refused (only this
 * machine may talk to it). Never the system service. close() kills it and removes its storage.
 */
export async function startOrthanc(o: OrthancOptions = {}): Promise<Orthanc> {
  if (!existsSync(ORTHANC_BIN) || !existsSync(DICOMWEB_PLUGIN)) {
    throw new Error('Orthanc is not installed: run `node e2e/tools/ensure-system-deps.mjs` as root (Debian packages orthanc, orthanc-dicomweb).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'cxr-orthanc-'));
  const port = await freePort();
  const users = o.users ?? {};
  const config = {
    Name: 'CXR-E2E',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'storage'),
    HttpPort: port,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: Object.keys(users).length > 0,
    RegisteredUsers: users,
    DicomServerEnabled: false,
    HttpDescribeErrors: true,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
  };
  const configPath = join(dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));

  const proc: ChildProcess = spawn(ORTHANC_BIN, [configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const first = Object.entries(users)[0];
  const authorization = first ? `Basic ${Buffer.from(`${first[0]}:${first[1]}`).toString('base64')}` : undefined;
  const headers = (): Record<string, string> => (authorization ? { Authorization: authorization } : {});

  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Up when /system answers (start-up takes about a second; generous on a loaded machine).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await close();
      throw new Error(`Orthanc exited with ${proc.exitCode} while starting:\n${log.slice(-2000)}`);
    }
    try {
      const r = await fetch(`${url}/system`, { headers: headers() });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`Orthanc did not answer on ${url} within 60 s:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return { ...orthancRest(url, authorization), close };
}


/** Orthanc's REST API at `url` (a server started by startOrthanc, possibly in another process). */
export function orthancRest(url: string, authorization: string | undefined): OrthancRest {
  const headers = (): Record<string, string> => (authorization ? { Authorization: authorization } : {});
  const check = async (r: Response, what: string) => {
    if (!r.ok) throw new Error(`Orthanc ${what}: HTTP ${r.status} ${await r.text()}`);
    return r;
  };
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    authorization,
    async upload(bytes) {
      const r = await check(await fetch(`${url}/instances`, { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/dicom' }, body: Buffer.from(bytes) }), 'upload');
      const j = (await r.json()) as { ID: string; ParentStudy: string; ParentSeries: string };
      return { instance: j.ID, study: j.ParentStudy, series: j.ParentSeries };
    },
    async get<T>(path: string) {
      return (await (await check(await fetch(`${url}${path}`, { headers: headers() }), `GET ${path}`)).json()) as T;
    },
    async getBytes(path: string) {
      return new Uint8Array(await (await check(await fetch(`${url}${path}`, { headers: headers() }), `GET ${path}`)).arrayBuffer());
    },
    async modified(id, replace) {
      const r = await check(
        await fetch(`${url}/instances/${id}/modify`, { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/json' }, body: JSON.stringify({ Replace: replace, Force: true }) }),
        'modify',
      );
      return new Uint8Array(await r.arrayBuffer());
    },
    async findInstance(sop) {
      const body = JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: sop } });
      return (await (await check(await fetch(`${url}/tools/find`, { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/json' }, body }), 'find')).json()) as string[];
    },
  };
}

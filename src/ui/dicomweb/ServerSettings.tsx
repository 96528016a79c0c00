import type { DicomwebAuth } from '../../dicomweb/connection';
import { useHospital } from './use-hospital';

/** Server URL and sign-in. Kept in memory only: a reload forgets the password or token. */
export function ServerSettings() {
  const connection = useHospital((s) => s.connection);
  const setConnection = useHospital((s) => s.setConnection);
  const auth = connection.auth;
  const setAuth = (a: DicomwebAuth) => setConnection({ auth: a });
  return (
    <fieldset className="dicomweb-server">
      <legend>Server</legend>
      <label>
        DICOMweb URL
        <input type="text" value={connection.url} spellCheck={false} onChange={(e) => setConnection({ url: e.currentTarget.value })} />
      </label>
      <label>
        Sign-in
        <select
          value={auth.kind}
          onChange={(e) => {
            const kind = e.currentTarget.value;
            setAuth(kind === 'basic' ? { kind, user: '', password: '' } : kind === 'bearer' ? { kind, token: '' } : { kind: 'none' });
          }}
        >
          <option value="none">None</option>
          <option value="basic">User and password</option>
          <option value="bearer">Bearer token</option>
        </select>
      </label>
      {auth.kind === 'basic' && (
        <>
          <label>
            User name
            <input type="text" autoComplete="off" value={auth.user} onChange={(e) => setAuth({ ...auth, user: e.currentTarget.value })} />
          </label>
          <label>
            Password
            <input type="password" autoComplete="off" value={auth.password} onChange={(e) => setAuth({ ...auth, password: e.currentTarget.value })} />
          </label>
        </>
      )}
      {auth.kind === 'bearer' && (
        <label>
          Token
          <input type="password" autoComplete="off" value={auth.token} onChange={(e) => setAuth({ ...auth, token: e.currentTarget.value })} />
        </label>
      )}
      <p className="muted">Credentials stay in this tab&apos;s memory; reloading the page forgets them.</p>
    </fieldset>
  );
}

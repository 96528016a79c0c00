/** Why a DICOMweb step failed, each with a message that says what to do. */
export type DicomwebErrorCode = 'bad-input' | 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'server' | 'no-image' | 'too-large' | 'rejected';

export class DicomwebError extends Error {
  override name = 'DicomwebError';
  constructor(
    readonly code: DicomwebErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * A dicomweb-client failure (an Error with the XHR's status) as a DicomwebError. Status 0 is a
 * request that never got an answer: server down, proxy with no target, or blocked by the CSP.
 */
export function fromHttpFailure(err: unknown, what: string): DicomwebError {
  if (err instanceof DicomwebError) return err;
  const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : undefined;
  if (status === undefined) return new DicomwebError('server', `${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new DicomwebError(
      'unreachable',
      `${what} failed: the DICOMweb server did not answer${status ? ` (HTTP ${status} from the proxy)` : ''}. Check the URL, that the server is up, and that this app's origin forwards to it (or that its origin is allowed in the Content-Security-Policy).`,
      status,
    );
  }
  if (status === 401) return new DicomwebError('unauthorized', `${what} failed: the server asks for credentials (HTTP 401). Check the sign-in method, user name and password or token.`, status);
  if (status === 403) return new DicomwebError('forbidden', `${what} failed: these credentials may not do this (HTTP 403).`, status);
  if (status === 404) return new DicomwebError('not-found', `${what} failed: not found on the server (HTTP 404). Is the URL the DICOMweb root (e.g. …/dicom-web)?`, status);
  if (status === 409) return new DicomwebError('rejected', `${what} failed: the server refused the object (HTTP 409).`, status);
  return new DicomwebError('server', `${what} failed: the server answered HTTP ${status}.`, status);
}

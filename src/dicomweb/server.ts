import { api } from 'dicomweb-client';
import { frontalRank } from '../imaging/choose-frontal';
import { MAX_PIXELS } from '../imaging/errors';
import { authorizationHeaders, normaliseRoot, type DicomwebConnection } from './connection';
import { DicomwebError, fromHttpFailure } from './errors';
import { includeFields } from './include-fields';
import { readPresentationLengths, type PresentationLengths } from '../sr/read-presentation-state';
import { readReportSr, type ReadReport } from '../sr/read-sr';
import { instanceRow, naturalise, num, str, studyRow, type InstanceRow, type StudyRow } from './records';
import { IMAGE_MODALITIES, STUDY_LIMIT, studyQueryParams, type StudyQuery } from './study-query';

/**
 * Only the first frame is read (src/imaging); a multi-frame instance bigger than this is refused
 * before it is downloaded, rather than pulling hundreds of megabytes into the tab.
 */
export const MAX_MULTIFRAME_BYTES = 256 * 1024 * 1024;

export interface FiledLengths {
  states: PresentationLengths[];
  unreadable: number;
}

export interface StudyReports {
  reports: ReadReport[];
  unreadable: number;
}

/** A prior study's reports read at most (an addendum or two beside the report). */
const MAX_REPORTS = 4;
/** A prior study's presentation states read at most, looking for the lengths on its image. */
const MAX_PRESENTATION_STATES = 6;

/** A study with more CR/DX series than this is rare; the rest keep their numbering order. */
const MAX_SERIES_LOOKED_AT = 8;

/**
 * One DICOMweb server, through dicomweb-client (QIDO-RS search, WADO-RS retrieve, STOW-RS store).
 * Credentials go in an Authorization header on each request, never in a URL; dicomweb-client's
 * console logging is off so that nothing about a request (or its headers) lands in a log.
 */
export class DicomwebServer {
  private readonly client: InstanceType<typeof api.DICOMwebClient>;
  readonly root: string;

  constructor(connection: DicomwebConnection, base: string = globalThis.location?.href ?? 'http://localhost/') {
    try {
      this.root = normaliseRoot(connection.url, base);
    } catch (err) {
      throw new DicomwebError('bad-input', err instanceof Error ? err.message : String(err));
    }
    this.client = new api.DICOMwebClient({ url: this.root, headers: authorizationHeaders(connection.auth), verbose: false, singlepart: false });
  }

  async searchStudies(q: StudyQuery): Promise<StudyRow[]> {
    const queryParams = studyQueryParams(q);
    let found: unknown[];
    try {
      found = (await this.client.searchForStudies({ queryParams })) as unknown[];
    } catch (err) {
      throw fromHttpFailure(err, 'Searching for studies');
    }
    return asList(found, 'Searching for studies').map(studyRow).filter((s) => s.studyUID);
  }

  /**
   * Every study of the patient (PatientID, exactly; and its issuer when the image names one), any
   * modality, newest first: the priors a radiologist compares with.
   */
  async patientStudies(patientId: string, issuer = ''): Promise<StudyRow[]> {
    const queryParams: Record<string, string> = { PatientID: patientId, limit: String(STUDY_LIMIT), ...includeFields(['00081030', '00201208', '00080061']) };
    if (issuer) queryParams.IssuerOfPatientID = issuer;
    let found: unknown[];
    try {
      found = (await this.client.searchForStudies({ queryParams })) as unknown[];
    } catch (err) {
      throw fromHttpFailure(err, 'Looking for prior studies');
    }
    const rows = asList(found, 'Looking for prior studies').map(studyRow);
    // An exact ID only: a server that matched more loosely (wildcards are not asked for) is not trusted here.
    return rows.filter((r) => r.studyUID && r.patientId.trim() === patientId).sort((a, b) => b.date.localeCompare(a.date));
  }

  /**
   * The study's report SRs, newest first, read (read-sr.ts); at most `max`. `unreadable`: how many
   * SR objects were no readable report (a damaged file, or no SR after all).
   */
  async studyReports(studyUID: string, max = MAX_REPORTS): Promise<StudyReports> {
    const { read, unreadable } = await this.readObjects(studyUID, 'SR', 'Listing the reports', max, readReportSr);
    // The newest first, by the date each says.
    return { reports: read.sort((a, b) => b.date.localeCompare(a.date)), unreadable };
  }

  /**
   * The lengths the study's presentation states draw on one of its images (read-presentation-state.ts),
   * newest first; those that draw nothing on it are left out. At most `max` objects are read;
   * `unreadable`: how many of them were no readable presentation state.
   */
  async presentationLengths(studyUID: string, sopInstanceUID: string, max = MAX_PRESENTATION_STATES): Promise<FiledLengths> {
    const { read, unreadable } = await this.readObjects(studyUID, 'PR', 'Reading the presentation states', max, (bytes) => readPresentationLengths(bytes, sopInstanceUID));
    // The newest first, by the date each says.
    return { states: read.filter((p) => p.lengths.length > 0 || p.texts.length > 0).sort((a, b) => b.date.localeCompare(a.date)), unreadable };
  }

  /**
   * Retrieves the study's objects of one modality, newest series first, and reads each with `read`;
   * at most `max` read. An object `read` refuses (a damaged file, another kind of object) is counted
   * in `unreadable` and does not hide the others; the server refusing or not answering stops it.
   */
  private async readObjects<T>(studyUID: string, modality: string, what: string, max: number, read: (bytes: ArrayBuffer) => T): Promise<{ read: T[]; unreadable: number }> {
    let series: unknown[];
    try {
      series = (await this.client.searchForSeries({ studyInstanceUID: studyUID, queryParams: { Modality: modality } })) as unknown[];
    } catch (err) {
      throw fromHttpFailure(err, what);
    }
    const ofModality = asList(series, what)
      .map(naturalise)
      .filter((s) => str(s, 'Modality').toUpperCase() === modality)
      .sort((a, b) => (num(b, 'SeriesNumber') ?? 0) - (num(a, 'SeriesNumber') ?? 0));
    const done: T[] = [];
    let unreadable = 0;
    for (const s of ofModality) {
      if (done.length + unreadable >= max) break;
      const seriesUID = str(s, 'SeriesInstanceUID');
      let instances: unknown[];
      try {
        instances = (await this.client.searchForInstances({ studyInstanceUID: studyUID, seriesInstanceUID: seriesUID })) as unknown[];
      } catch (err) {
        throw fromHttpFailure(err, what);
      }
      for (const i of asList(instances, what)) {
        if (done.length + unreadable >= max) break;
        const row = instanceRow(i, { studyUID, seriesUID, modality, description: '' });
        try {
          done.push(read(await this.retrieve(row)));
        } catch (err) {
          if (err instanceof DicomwebError) throw err;
          unreadable++;
        }
      }
    }
    return { read: done, unreadable };
  }

  /** The study's CR/DX instances, series by series; DicomwebError('no-image') when there are none. */
  async imageInstances(studyUID: string, modalities: string[] = IMAGE_MODALITIES): Promise<InstanceRow[]> {
    let series: unknown[];
    try {
      series = (await this.client.searchForSeries({ studyInstanceUID: studyUID, queryParams: { includefield: '0008103E' } })) as unknown[];
    } catch (err) {
      throw fromHttpFailure(err, 'Listing the study');
    }
    const all = asList(series, 'Listing the study').map(naturalise);
    const wanted = all.filter((s) => modalities.includes(str(s, 'Modality').toUpperCase()));
    if (!wanted.length) {
      const has = [...new Set(all.map((s) => str(s, 'Modality')).filter(Boolean))];
      throw new DicomwebError('no-image', `This study has no ${modalities.join(' or ')} image${has.length ? ` (it has ${has.join(', ')})` : ''}; the assistant reads chest radiographs only.`);
    }
    const out: InstanceRow[] = [];
    for (const s of wanted) {
      const meta = { studyUID, seriesUID: str(s, 'SeriesInstanceUID'), modality: str(s, 'Modality').toUpperCase(), description: str(s, 'SeriesDescription') };
      let instances: unknown[];
      try {
        instances = (await this.client.searchForInstances({
          studyInstanceUID: studyUID,
          seriesInstanceUID: meta.seriesUID,
          queryParams: includeFields(['00200013', '00280008', '00280010', '00280011', '00280100', '00185101']),
        })) as unknown[];
      } catch (err) {
        throw fromHttpFailure(err, 'Listing the series');
      }
      for (const i of asList(instances, 'Listing the series')) out.push(instanceRow(i, meta));
    }
    if (!out.length) throw new DicomwebError('no-image', `This study's ${modalities.join('/')} series hold no instances.`);
    if (out.length > 1) await this.addViewPositions(out);
    // Frontal views first (CXR-LLaVA reads one; a worklist opens the first), then by number.
    return out.sort((a, b) => frontalRank(a.viewPosition) - frontalRank(b.viewPosition) || (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0));
  }

  /**
   * A server may leave View Position out of a QIDO answer, though asked: it is not among the
   * attributes PS3.18 requires it to return, and a server that answers from its index alone may not
   * have it. Then each series' metadata (WADO-RS, headers only, a few kB for a radiograph) says it.
   * Best effort: without it the images keep their numbering order.
   */
  private async addViewPositions(rows: InstanceRow[]): Promise<void> {
    const series = [...new Set(rows.filter((r) => r.viewPosition === null).map((r) => r.seriesUID))];
    for (const seriesUID of series.slice(0, MAX_SERIES_LOOKED_AT)) {
      let metadata: unknown;
      try {
        // Its typings mark `request` required; it is not.
        const options = { studyInstanceUID: rows[0]!.studyUID, seriesInstanceUID: seriesUID };
        metadata = await this.client.retrieveSeriesMetadata(options as Parameters<typeof this.client.retrieveSeriesMetadata>[0]);
      } catch {
        continue;
      }
      if (!Array.isArray(metadata)) continue;
      for (const d of metadata.map(naturalise)) {
        const row = rows.find((r) => r.sopUID === str(d, 'SOPInstanceUID'));
        const view = str(d, 'ViewPosition').trim().toUpperCase();
        if (row && view) row.viewPosition = view;
      }
    }
  }

  /** The instance as a DICOM Part 10 file (WADO-RS), after refusing what cannot be opened anyway. */
  async retrieve(instance: InstanceRow): Promise<ArrayBuffer> {
    checkSize(instance);
    let part: unknown;
    try {
      // No media types: dicomweb-client asks for application/dicom in any transfer syntax, which
      // the decoder handles (src/imaging); its typings wrongly mark both fields required.
      const options = { studyInstanceUID: instance.studyUID, seriesInstanceUID: instance.seriesUID, sopInstanceUID: instance.sopUID };
      part = await this.client.retrieveInstance(options as Parameters<typeof this.client.retrieveInstance>[0]);
    } catch (err) {
      throw fromHttpFailure(err, 'Retrieving the image');
    }
    if (part instanceof ArrayBuffer) return part;
    if (part instanceof Uint8Array) return part.slice().buffer;
    throw new DicomwebError('server', 'Retrieving the image failed: the server sent no DICOM file.');
  }

  /** Stores DICOM files in a study (STOW-RS). */
  async store(files: Uint8Array[], studyUID: string): Promise<void> {
    try {
      await this.client.storeInstances({ datasets: files.map((f) => f.slice().buffer), studyInstanceUID: studyUID });
    } catch (err) {
      throw fromHttpFailure(err, 'Sending the report');
    }
  }
}

/**
 * A QIDO answer is a JSON array (or nothing: 204 No Content). Anything else, e.g. the app's own
 * index.html from a path that forwards nowhere, means the URL is not a DICOMweb root.
 */
function asList(answer: unknown, what: string): unknown[] {
  if (Array.isArray(answer)) return answer;
  if (answer === undefined || answer === '') return [];
  throw new DicomwebError('not-found', `${what} failed: the answer is not DICOM JSON. Is the URL the server's DICOMweb root (e.g. /dicomweb, …/dicom-web)?`);
}

function checkSize(i: InstanceRow): void {
  const px = (i.rows ?? 0) * (i.columns ?? 0);
  if (px > MAX_PIXELS) {
    throw new DicomwebError('too-large', `This image is ${i.columns} × ${i.rows} pixels; the limit is ${MAX_PIXELS / 1e6} megapixels.`);
  }
  const bytes = px * i.frames * Math.ceil((i.bitsAllocated ?? 16) / 8);
  if (i.frames > 1 && bytes > MAX_MULTIFRAME_BYTES) {
    throw new DicomwebError(
      'too-large',
      `This instance has ${i.frames} frames (about ${Math.round(bytes / 2 ** 20)} MB); only single radiographs are read. Choose a single-frame CR or DX image.`,
    );
  }
}

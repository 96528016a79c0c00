import { createStore as idbStore, set as idbSet } from 'idb-keyval';
import type { InstanceRow, StudyRow } from '../dicomweb/records';
import { DicomwebServer } from '../dicomweb/server';
import { hospitalStoreFor, type HospitalStore } from '../hospital/hospital-store';
import { sentAsIs } from '../hospital/send-report';
import { besideInstance, instanceFileName } from '../hospital/study-images';
import { chooseFrontal, mayBeImage } from '../imaging/choose-frontal';
import { groupByStudy, type Given, type StudyGroup } from '../imaging/group-studies';
import type { DecodedImage } from '../imaging/types';
import type { GrayImage } from '../preprocess/types';
import { describeStudy, summarizeStudy } from '../report/context';
import { undocumentedCritical, type UndocumentedCritical } from '../report/critical-results';
import type { SessionController } from '../session/controller';
import { draftKey, DRAFTS_DB, type Draft, type DraftStorage } from '../session/drafts';
import { studyIndication } from '../state/report-slice';
import { studyFingerprint } from '../session/study-fingerprint';
import type { AppStore } from '../state/store';
import { createWorklistStore, readingOrder, type WorklistItem, type WorklistStore } from './worklist-store';

/** How an item's image is fetched: a local study's files (its frontal view is read), or a study's first CR/DX image on the server. */
type Source = { kind: 'files'; files: File[]; folders?: string[] } | { kind: 'server'; studyUID: string; instances?: InstanceRow[] };

/**
 * What the worklist needs from the rest of the app (browser-only parts: src/worklist/app-worklist.ts
 * wires the decode worker and the intake; tests give Node's decoder).
 */
export interface WorklistDeps {
  drafts: DraftStorage;
  /** Decodes an image off the main thread to what the model reads. */
  decode: (bytes: ArrayBuffer, name: string) => Promise<{ image: DecodedImage; grey: GrayImage }>;
  /** Opens a study's files like dropped ones (one file, or its frontal view of several). */
  openFiles: (app: AppStore, files: File[], given: Given) => Promise<void>;
  /** Opens a server instance (keeping its header for the SR); false when it did not open. */
  openInstance: (app: AppStore, h: HospitalStore, instance: InstanceRow) => Promise<boolean>;
  /** Retrieves another image of the open study into the side viewer (the setting "Show the other view beside…"). */
  showInstanceBeside?: (app: AppStore, h: HospitalStore, instances: InstanceRow[], instance: InstanceRow) => Promise<void>;
  /** Stores a background draft (without making it "the study open last"). */
  saveDraft?: (d: Draft) => Promise<void>;
}

/**
 * Several studies at once. The user reads one; the worklist drafts the others in the background,
 * one at a time, with the same worker (the open study always wins it: SessionController interrupts
 * a background draft for any request of the user's). A finished draft is stored like any other
 * (src/session/drafts.ts, keyed by the pixels' fingerprint), so opening that study shows it, with
 * its chat kept as today.
 */
export class Worklist {
  readonly store: WorklistStore = createWorklistStore();
  private readonly sources = new Map<string, Source>();
  private readonly hospital: HospitalStore;
  private pumping = false;
  private seq = 0;
  /** The open report last read for critical findings, and what it named: read again only once it changes, never per streamed token. */
  private criticalRead: { report: string; critical: UndocumentedCritical | undefined } | null = null;

  private readonly drafts: DraftStorage;
  private readonly saveDraft: (d: Draft) => Promise<void>;

  constructor(
    private readonly app: AppStore,
    private readonly controller: Pick<SessionController, 'draftInBackground' | 'stop'>,
    private readonly deps: WorklistDeps,
  ) {
    this.drafts = deps.drafts;
    this.saveDraft = deps.saveDraft ?? saveWithoutMarkingOpen;
    this.hospital = hospitalStoreFor(app);
    app.subscribe(() => {
      this.trackOpenItem();
      void this.pump();
    });
    this.hospital.subscribe(() => {
      this.trackOpenItem();
      this.trackSent();
    });
  }

  /** Adds the studies among files (a folder's other files are skipped); openFirst opens the first of them (a drop). */
  async addFiles(files: File[], o: { openFirst?: boolean } = {}): Promise<void> {
    this.addLocalStudies((await groupByStudy(files.filter((f) => mayBeImage(f.name)))).studies, o);
  }

  /**
   * Adds local studies (files grouped by study: group-studies.ts), one row each. `folders`: where
   * they were found, for the notes of the study opened; `since`: when they were dropped, so that the
   * first one's drop → first token counts the header reads.
   */
  addLocalStudies(studies: StudyGroup<File>[], o: { openFirst?: boolean } & Given = {}): void {
    const items = studies.map(({ files, header }): WorklistItem => {
      const id = `w${++this.seq}`;
      this.sources.set(id, { kind: 'files', files, folders: o.folders });
      // What a reader knows a study by, when the header says; else the file (its path in a folder).
      const named = [header?.patientName, header?.accession, header?.studyDate].filter(Boolean).join(' · ');
      const label = `${named || files[0]!.webkitRelativePath || files[0]!.name}${files.length > 1 ? ` · ${files.length} images` : ''}`;
      return { id, label, origin: 'file', state: 'new', ...(header?.indication ? { indication: header.indication } : {}) };
    });
    this.added(items, o.openFirst, o.since);
  }

  addStudies(rows: StudyRow[]): void {
    const known = new Set([...this.sources.values()].map((s) => (s.kind === 'server' ? s.studyUID : '')));
    const items = rows
      .filter((r) => !known.has(r.studyUID))
      .map((r): WorklistItem => {
        const id = `w${++this.seq}`;
        this.sources.set(id, { kind: 'server', studyUID: r.studyUID });
        return { id, label: [r.patientName, r.accession, r.date].filter(Boolean).join(' · ') || r.studyUID, origin: 'server', state: 'new' };
      });
    this.added(items);
  }

  private added(items: WorklistItem[], openFirst = false, since?: number): void {
    if (!items.length) return;
    const s = this.store.getState();
    s.add(items);
    if (!s.currentId || openFirst) void this.open(items[0]!.id, since);
    else void this.pump();
  }

  /** Opens an item like a dropped file (a server image with its header kept for the SR). `since`: see addLocalStudies. */
  async open(id: string, since?: number): Promise<void> {
    const item = this.item(id);
    const source = this.sources.get(id);
    if (!item || !source) return;
    // Its background draft, if one is being written, stops (and is written again later).
    if (item.state === 'drafting') await this.controller.stop();
    this.store.getState().setCurrent(id);
    try {
      if (source.kind === 'files') await this.deps.openFiles(this.app, source.files, { folders: source.folders, since });
      else {
        const instances = await this.instancesOf(source);
        const instance = instances[0]!;
        if (!(await this.deps.openInstance(this.app, this.hospital, instance))) {
          const o = this.hospital.getState().opening;
          if (o.status === 'error') this.store.getState().update(id, { state: 'failed', message: o.message });
        } else if (this.app.getState().settings.besideOnOpen) {
          // Hung as it opens, as the study browser does: its other view beside the frontal one.
          const other = besideInstance(instances, instance);
          if (other) await this.deps.showInstanceBeside?.(this.app, this.hospital, instances, other);
        }
      }
    } catch (err) {
      this.store.getState().update(id, { state: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
    if (this.store.getState().currentId === id) this.store.getState().update(id, { studyKey: this.app.getState().study?.key });
    this.trackOpenItem();
    void this.pump();
  }

  /** Opens the next (+1) or previous (-1) item in reading order; stays at either end. */
  step(delta: 1 | -1): Promise<void> {
    const s = this.store.getState();
    const items = readingOrder({ items: s.items, criticalFirst: this.app.getState().settings.criticalFirst });
    const at = items.findIndex((i) => i.id === s.currentId);
    const next = items[Math.min(items.length - 1, Math.max(0, at + delta))];
    return next && next.id !== s.currentId ? this.open(next.id) : Promise.resolve();
  }

  private item(id: string | null): WorklistItem | undefined {
    return this.store.getState().items.find((i) => i.id === id);
  }

  /** The study's CR/DX images, frontal views first (the first is the one the model reads). */
  private async instancesOf(source: Extract<Source, { kind: 'server' }>): Promise<InstanceRow[]> {
    source.instances ??= await this.server().imageInstances(source.studyUID);
    return source.instances;
  }

  private server(): DicomwebServer {
    return new DicomwebServer(this.hospital.getState().connection);
  }

  /** The open item's state follows what the user does with its report. */
  private trackOpenItem(): void {
    const { currentId, update } = this.store.getState();
    const item = this.item(currentId);
    const s = this.app.getState();
    if (!item || !s.study || item.studyKey !== s.study.key || item.state === 'failed') return;
    const sent = this.hospital.getState().opened[s.study.key]?.sent;
    let next = item.state;
    let draft = item.draft;
    const report = s.report.trim();
    if (s.streaming === 'report') next = 'drafting';
    else if (!s.streaming) {
      // The model's text as it finished (the user's own Generate or Continue: without what the reader
      // typed meanwhile, when known), or a stored draft put back on open.
      if ((item.state === 'drafting' || draft === undefined) && report) draft = s.modelReport?.trim() || report;
      if (sent) next = !sentAsIs(sent, s) ? 'sent-edited' : sent.signedAt !== null ? 'signed-sent' : 'sent';
      else if (s.signature) next = 'signed';
      else if (report) next = report === draft?.trim() ? 'draft-ready' : 'edited';
      else if (!draft) next = 'new';
    }
    let critical = item.critical;
    if (!s.streaming) {
      if (this.criticalRead?.report !== s.report) this.criticalRead = { report: s.report, critical: undocumentedCritical(s.report) ?? undefined };
      critical = this.criticalRead.critical;
    }
    const sameCritical = critical?.names === item.critical?.names && critical?.urgency === item.critical?.urgency;
    // The reason for the study as the reader sees it over the report: typed there, else the header's.
    const indication = studyIndication(s);
    if (next !== item.state || draft !== item.draft || !sameCritical || indication !== item.indication) update(item.id, { state: next, draft, critical, indication });
  }

  /**
   * A study sent while its row is not the open item (opened from the study browser, say) still
   * shows "sent": matched by the study key it was last open under, or a server row by its Study
   * Instance UID. Like the rest of the list this lives in memory: the list itself (its files and
   * server studies) is not kept across a reload, and which reports were sent is the server's to
   * tell (the SRs are in the study); the hospital store keeps no patient data in storage.
   */
  private trackSent(): void {
    const { items, currentId, update } = this.store.getState();
    const opened = Object.entries(this.hospital.getState().opened);
    const openKey = this.app.getState().study?.key;
    for (const item of items) {
      // The open item follows its report (trackOpenItem), edits after sending included.
      if ((item.id === currentId && item.studyKey === openKey) || item.state === 'sent' || item.state === 'signed-sent' || item.state === 'sent-edited' || item.state === 'failed') continue;
      const source = this.sources.get(item.id);
      const sent = opened.some(([key, o]) => o.sent && (key === item.studyKey || (source?.kind === 'server' && o.source?.StudyInstanceUID === source.studyUID)));
      if (sent) update(item.id, { state: 'sent' });
    }
  }

  /** Drafts the next 'new' study that is not open, when the model is loaded and the user is idle. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    const s = this.app.getState();
    // Not while the model checks itself either: it has the worker, and its verdict comes first.
    if (s.load.status !== 'loaded' || s.streaming || !['idle', 'error'].includes(s.stage) || s.verification.status === 'running') return;
    const { items, currentId, update } = this.store.getState();
    const item = items.find((i) => i.state === 'new' && i.id !== currentId);
    const source = item && this.sources.get(item.id);
    if (!item || !source) return;
    this.pumping = true;
    update(item.id, { state: 'drafting' });
    let retry = false;
    try {
      const { bytes, name } = await this.bytesOf(source);
      const { image, grey } = await this.deps.decode(bytes, name);
      const key = await studyFingerprint(image);
      const existing = await this.drafts.load(key);
      if (existing?.report.trim()) {
        // A study read before: its stored report stands, signed or not.
        update(item.id, { state: existing.signature ? 'signed' : 'draft-ready', draft: existing.report, critical: undocumentedCritical(existing.report) ?? undefined });
      } else {
        const text = await this.controller.draftInBackground(grey);
        if (text === null) retry = true;
        else {
          await this.saveDraft({ schema: 1, key, savedAt: Date.now(), label: describeStudy(summarizeStudy(image)), report: text, reportPreset: 'report', versions: [], chat: [], modelReport: text });
          if (this.item(item.id)?.state === 'drafting') update(item.id, { state: 'draft-ready', draft: text, critical: undocumentedCritical(text) ?? undefined });
        }
      }
    } catch (err) {
      update(item.id, { state: 'failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.pumping = false;
    }
    if (retry) {
      if (this.item(item.id)?.state === 'drafting') update(item.id, { state: 'new' });
      return; // the user's request took the worker; the next idle store change resumes
    }
    void this.pump();
  }

  private async bytesOf(source: Source): Promise<{ bytes: ArrayBuffer; name: string }> {
    if (source.kind === 'files') {
      // The file opening the study would show: its frontal view.
      const file = source.files.length > 1 ? (await chooseFrontal(source.files)).file : source.files[0]!;
      return { bytes: await file.arrayBuffer(), name: file.name };
    }
    const instance = (await this.instancesOf(source))[0]!;
    return { bytes: await this.server().retrieve(instance), name: instanceFileName(instance) };
  }
}

/** Background drafts are stored without becoming "the study open last" (which a reload reopens). */
async function saveWithoutMarkingOpen(d: Draft): Promise<void> {
  await idbSet(draftKey(d.key), d, draftsStore());
}

let idbDrafts: ReturnType<typeof idbStore> | null = null;
function draftsStore() {
  return (idbDrafts ??= idbStore(DRAFTS_DB, 'drafts'));
}

// Type declarations for the parts of dcmjs (untyped JavaScript) the app uses.
declare module 'dcmjs' {
  /** DICOM JSON model (PS3.18 F.2): tag "GGGGEEEE" -> { vr, Value?, InlineBinary?, BulkDataURI? }. */
  export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;
  /** A "natural" dataset: keywords -> values (sequences as arrays of natural datasets). */
  export type NaturalDataset = Record<string, unknown>;
  export const data: {
    DicomMetaDictionary: {
      naturalizeDataset(dataset: DicomJson): NaturalDataset;
      denaturalizeDataset(dataset: NaturalDataset): DicomJson;
      /** A new UID under 2.25 (random UUID). */
      uid(): string;
    };
    DicomDict: new (meta: DicomJson) => { dict: DicomJson; meta: DicomJson; write(options?: Record<string, unknown>): ArrayBuffer };
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): { dict: DicomJson; meta: DicomJson };
    };
  };
  const dcmjs: { data: typeof data };
  export default dcmjs;
}

import * as dicomParserNs from 'dicom-parser';

/**
 * dicom-parser is a UMD bundle: bundlers expose its functions as named exports, Node's ESM loader
 * only as `default`. This picks whichever is there.
 */
type DicomParser = typeof dicomParserNs;
export const dicomParser: DicomParser = (dicomParserNs as unknown as { default?: DicomParser }).default ?? dicomParserNs;
export type { DataSet, Element } from 'dicom-parser';

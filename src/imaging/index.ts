// The imaging module's public surface for the app (browser). Node code imports decode-node.ts.
export type { DecodedImage, MetaField, WindowPreset, StoredPixels, SourceFormat } from './types';
export { ImagingError, MAX_PIXELS, type ImagingErrorCode } from './errors';
export { decodeInWorker, decodeImageFile, type DecodeResult } from './decode';
export { defaultVoiImage, defaultVoiOf } from './default-voi';
export { Viewport, type ViewState } from './cornerstone-viewport';
export { initialWindow, openingView, type PresentedView, type Window } from './presented-view';
export { formatLength, lengthOf, lengthsSentence, sameSegment, type ImagePoint, type Length, type Segment } from './measure';
export { describeSpacing } from './pixel-spacing';
export { cardiothoracicRatio, formatRatio, ratioCaveat, ratioPair, ratioSentence, viewPositionOf, type WidthRole } from './cardiothoracic';
export { edgeMarkers, type EdgeMarkers } from './orientation';
export { LENS_MAX_POWER, lensPixels, lensFactor, type LensView } from './magnify';

export type { GrayImage, GrayDecoder } from './types';
export { rgbToGray, imageDataToGray } from './gray';
export { resizeLanczos, resizeShortSide, shortSideSize, lanczosTaps, type Region, type Taps } from './resize-lanczos';
export { centerCrop, centerCropOffset, normalizeTable, normalizeToTensor } from './crop-normalize';
export { preprocessGray, type PreprocessSpec, type Preprocessed } from './preprocess';
export { decodePgm, encodePgm, isPgm } from './pgm';

/**
 * The bundled sample radiograph (public/samples/, CC BY-NC 4.0; the service worker precaches it):
 * what "Open the sample radiograph" opens and what the model self-check runs.
 */
export const SAMPLE_NAME = 'cxr-sample.jpg';
export const SAMPLE_URL = `${import.meta.env.BASE_URL}samples/${SAMPLE_NAME}`;
/** Shown with the sample's other notes: whose picture it is and what it may be used for. */
export const SAMPLE_NOTE =
  'Sample radiograph from the CXR-LLaVA project (ECOFRI/CXR_LLaVA), CC BY-NC 4.0: for trying the app, not for clinical or commercial use.';

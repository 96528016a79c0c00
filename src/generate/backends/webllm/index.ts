/** The webllm decoder backend: what the worker needs, nothing else. */
export { WebLlmDecoderBackend, type EngineFactory, type WebLlmBackendOptions } from './webllm-backend';
export { buildWebLlmAppConfig, chooseWebLlmQuant, type WebLlmQuant } from './app-config';
export { PINNED_WEBLLM_VERSION } from './internals';

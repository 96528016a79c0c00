/**
 * A time bound on every WebGPU adapter and device request made in this realm.
 *
 * The spec lets requestAdapter and requestDevice wait as long as the browser likes, and browser
 * and driver bugs have left them pending for good. Our own adapter probe is bounded
 * (probe-webgpu.ts), but ORT's WebGPU EP and WebLLM ask for their own adapter and device, from
 * inside their code, with no bound: the model load would then wait forever, with only the model
 * panel's "since the last update" count growing. So the inference worker wraps the two methods
 * once, at start: a request that does not answer in time fails with a message that says what to
 * do, which the load reports like any other failure. Both libraries handle a rejected request
 * (ORT's Dawn glue passes the message on as a device error).
 */

export interface GpuRequestBounds {
  adapterMs: number;
  deviceMs: number;
}

/** Generous: a cold GPU process can take seconds to start; a bug never answers. */
export const GPU_REQUEST_BOUNDS: GpuRequestBounds = { adapterMs: 20_000, deviceMs: 30_000 };

const BOUNDED = Symbol.for('cxr-llava.gpu-request-bounded');

interface Scope {
  GPU?: { prototype: { requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null> } };
  GPUAdapter?: { prototype: { requestDevice(descriptor?: GPUDeviceDescriptor): Promise<GPUDevice> } };
}

/** Wraps GPU.prototype.requestAdapter and GPUAdapter.prototype.requestDevice in `scope` (once). */
export function boundGpuRequests(scope: Scope = globalThis as unknown as Scope, bounds: GpuRequestBounds = GPU_REQUEST_BOUNDS): void {
  const gpu = scope.GPU?.prototype as (Scope['GPU'] & object)['prototype'] & { [BOUNDED]?: true };
  const adapter = scope.GPUAdapter?.prototype as (Scope['GPUAdapter'] & object)['prototype'] & { [BOUNDED]?: true };
  if (gpu && !gpu[BOUNDED]) {
    const requestAdapter = gpu.requestAdapter;
    gpu.requestAdapter = function (this: unknown, options?: GPURequestAdapterOptions) {
      return withBound(requestAdapter.call(this, options), bounds.adapterMs, 'an adapter', () => {});
    };
    gpu[BOUNDED] = true;
  }
  if (adapter && !adapter[BOUNDED]) {
    const requestDevice = adapter.requestDevice;
    adapter.requestDevice = function (this: unknown, descriptor?: GPUDeviceDescriptor) {
      // A device that comes after its request gave up is no one's: free it.
      return withBound(requestDevice.call(this, descriptor), bounds.deviceMs, 'a device', (device) => device.destroy());
    };
    adapter[BOUNDED] = true;
  }
}

function withBound<T>(request: Promise<T>, ms: number, what: string, discardLate: (value: NonNullable<T>) => void): Promise<T> {
  const message = `The browser did not answer a WebGPU request for ${what} in ${ms / 1000} s. Restart the browser; if it happens again, check chrome://gpu, or choose wasm in Settings.`;
  return withTimeout(request, ms, message, discardLate);
}

/**
 * `work`, or a rejection with `message` after `ms`; a value that comes after that goes to
 * `discardLate` (a GPU device no one will use). Also bounds the capability probe's own request.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message: string, discardLate: (value: NonNullable<T>) => void = () => {}): Promise<T> {
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(message));
    }, ms);
  });
  void work.then(
    (value) => {
      if (timedOut && value) discardLate(value as NonNullable<T>);
    },
    () => {},
  );
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

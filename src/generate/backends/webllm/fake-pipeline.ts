/**
 * Test double of a loaded WebLLM engine + LLMChatPipeline + tvmjs runtime: the same names and
 * Function.length as 0.2.86 (so checkWebLlmInternals accepts it), no GPU. Every call the backend
 * makes is appended to `log` with the shapes it saw; scopes are tracked to catch leaks.
 */
export type Call =
  | { op: 'embed'; ids: number[] }
  | { op: 'concat'; rows: number[] }
  | { op: 'upload'; shape: number[]; dtype: string; bytes: Uint8Array }
  | { op: 'begin_forward'; seq: number[]; len: number[] }
  | { op: 'prefill' | 'decode'; shape: number[]; dtype: string }
  | { op: 'end_forward' }
  | { op: 'clear' }
  | { op: 'add_sequence'; seq: number }
  | { op: 'popn'; seq: number; n: number }
  | { op: 'sync' };

export interface FakeOptions {
  hidden?: number;
  vocab?: number;
  prefillChunkSize?: number;
  embedDtype?: string;
  withPopn?: boolean;
}

type Dev = { kind: 'cpu' | 'webgpu'; sync(): Promise<void> };

export class FakeTensor {
  disposed = false;
  data: Uint8Array | null = null;
  constructor(
    readonly shape: number[],
    readonly dtype: string,
    readonly device: Dev,
    private readonly owner: FakeTvm,
  ) {
    owner.tensors.push(this);
  }
  view(shape: number[], dtype?: string): FakeTensor {
    const v = this.owner.track(new FakeTensor(shape, dtype ?? this.dtype, this.device, this.owner));
    v.data = this.data;
    return v;
  }
  copyFrom(data: FakeTensor | ArrayLike<number>): FakeTensor {
    if (data instanceof FakeTensor) this.data = data.data;
    else if (this.dtype === 'int32') this.data = new Uint8Array(Int32Array.from(data).buffer);
    else throw new Error(`fake copyFrom: unsupported ${this.dtype}`);
    return this;
  }
  copyFromRawBytes(data: Uint8Array): FakeTensor {
    const want = this.shape.reduce((a, b) => a * b, 1) * (this.dtype === 'float16' ? 2 : 4);
    if (data.length !== want) throw new Error(`Expect the data's length equals nbytes=${want}`);
    this.data = data.slice();
    this.owner.log.push({ op: 'upload', shape: this.shape, dtype: this.dtype, bytes: this.data });
    return this;
  }
  toRawBytes(): Uint8Array {
    if (this.device.kind !== 'cpu') throw new Error('Can only sync copy CPU array');
    return (this.data ?? new Uint8Array(0)).slice();
  }
  dispose(): void {
    this.disposed = true;
  }
  get ids(): number[] {
    return Array.from(new Int32Array(this.data!.buffer, this.data!.byteOffset, this.data!.byteLength / 4));
  }
}

export class FakeTvm {
  readonly log: Call[] = [];
  /** Every tensor ever made, to find the ones still alive. */
  readonly tensors: FakeTensor[] = [];
  private scopes: unknown[][] = [];
  /** Open scopes: must be 0 between calls. */
  get scopeDepth(): number {
    return this.scopes.length;
  }
  readonly cpuDevice: Dev = { kind: 'cpu', sync: async () => {} };
  constructor(readonly globals: Map<string, (...args: unknown[]) => unknown>) {}

  track<T>(obj: T): T {
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope) throw new Error('Must call beginScope to use functions that returns TVM objects');
    scope.push(obj);
    return obj;
  }
  beginScope(): void {
    this.scopes.push([]);
  }
  endScope(): void {
    const scope = this.scopes.pop();
    if (!scope) throw new Error('tvm.endScope called when the stack is empty.');
    for (const o of scope) (o as { dispose?: () => void } | undefined)?.dispose?.();
  }
  detachFromCurrentScope<T>(obj: T): T {
    const scope = this.scopes[this.scopes.length - 1]!;
    const i = scope.indexOf(obj);
    if (i < 0) throw new Error('Cannot find obj in the current auto conversion pool');
    scope[i] = undefined;
    return obj;
  }
  empty(shape: number[] | number, dtype = 'float32', dev: Dev = this.cpuDevice): FakeTensor {
    return this.track(new FakeTensor(typeof shape === 'number' ? [shape] : shape, dtype, dev, this));
  }
  cpu(_deviceId = 0): Dev {
    return this.cpuDevice;
  }
  concatEmbeddings(embeddings: FakeTensor[]): FakeTensor {
    this.log.push({ op: 'concat', rows: embeddings.map((e) => e.shape[0]!) });
    const rows = embeddings.reduce((n, e) => n + e.shape[0]!, 0);
    return this.track(new FakeTensor([rows, embeddings[0]!.shape[1]!], embeddings[0]!.dtype, embeddings[0]!.device, this));
  }
  makeShapeTuple(shape: number[]): { values: number[]; dispose(): void } {
    return this.track({ values: shape, dispose() {} });
  }
  getGlobalFunc(name: string): (...args: unknown[]) => unknown {
    const f = this.globals.get(name);
    if (!f) throw new Error(`Cannot find global function ${name}`);
    return this.track(Object.assign((...args: unknown[]) => f(...args), { dispose() {} }));
  }
  scalar(value: number, dtype: string): { value: number; dtype: string } {
    return { value, dtype };
  }
}

export interface Fake {
  engine: FakeEngine;
  tvm: FakeTvm;
  /** What engine.reload() puts in loadedModelIdToPipeline. */
  pipeline: Record<string, unknown>;
  /** The runtime's global functions by name (delete one to simulate an older runtime). */
  globals: Map<string, (...args: unknown[]) => unknown>;
  log: Call[];
  /** Positions the fake KV cache holds. */
  kvLength(): number;
}

export class FakeEngine {
  loadedModelIdToPipeline = new Map<string, unknown>();
  reloads: string[] = [];
  unloads = 0;
  constructor(private readonly makePipeline: () => unknown) {}
  async reload(modelId: string, _chatOpts?: unknown): Promise<void> {
    this.reloads.push(modelId);
    this.loadedModelIdToPipeline.set(modelId, this.makePipeline());
  }
  async unload(): Promise<void> {
    this.unloads++;
    this.loadedModelIdToPipeline.clear();
  }
}

/** Logits of the fake model: [0] = positions in the cache after the forward, [1] = positions in it. */
export function makeFake(o: FakeOptions = {}): Fake {
  const hidden = o.hidden ?? 4096;
  const vocab = o.vocab ?? 32000;
  const embedDtype = o.embedDtype ?? 'float16';
  let kv = 0;
  let pending = -1;
  const globals = new Map<string, (...args: unknown[]) => unknown>();
  const tvm = new FakeTvm(globals);
  const log = tvm.log;
  const gpu: Dev = { kind: 'webgpu', sync: async () => void log.push({ op: 'sync' }) };
  const value = (s: unknown) => (s as { value: number }).value;
  globals.set('vm.builtin.kv_state_begin_forward', (_kv, seq, len) => {
    const l = (len as { values: number[] }).values;
    log.push({ op: 'begin_forward', seq: (seq as { values: number[] }).values, len: l });
    pending = l[0]!;
  });
  globals.set('vm.builtin.kv_state_end_forward', () => {
    log.push({ op: 'end_forward' });
    pending = -1;
  });
  globals.set('vm.builtin.kv_state_clear', () => {
    log.push({ op: 'clear' });
    kv = 0;
  });
  globals.set('vm.builtin.kv_state_add_sequence', (_kv, seq) => void log.push({ op: 'add_sequence', seq: value(seq) }));
  globals.set('tvmjs.runtime.ConcatEmbeddings', () => {
    throw new Error('the backend calls tvm.concatEmbeddings, not the global');
  });
  if (o.withPopn) {
    globals.set('vm.builtin.kv_state_popn', (_kv, seq, n) => {
      log.push({ op: 'popn', seq: value(seq), n: value(n) });
      kv -= value(n);
    });
  }
  const step = (op: 'prefill' | 'decode') => (embeds: unknown) => {
    const e = embeds as FakeTensor;
    if (pending !== e.shape[1]) throw new Error(`${op} of ${e.shape[1]} positions without a matching begin_forward`);
    log.push({ op, shape: e.shape, dtype: e.dtype });
    kv += e.shape[1]!;
    const logits = tvm.track(new FakeTensor([1, 1, vocab], 'float32', gpu, tvm));
    const values = new Float32Array(vocab);
    values[0] = kv;
    values[1] = e.shape[1]!;
    logits.data = new Uint8Array(values.buffer);
    return tvm.track({ get: () => logits, dispose() {} });
  };
  const pipeline: Record<string, unknown> = {
    tvm,
    device: gpu,
    params: { dispose() {} },
    kvCache: { dispose() {} },
    resolvedModelABI: { kvStateKind: 'kv_cache', prefillABI: 'single', decodeABI: 'single', needsKVCache: true, needsRNNState: false },
    prefillChunkSize: o.prefillChunkSize ?? 1024,
    embed: (ids: unknown) => {
      const t = ids as FakeTensor;
      log.push({ op: 'embed', ids: t.ids });
      return tvm.track(new FakeTensor([t.shape[0]!, hidden], embedDtype, gpu, tvm));
    },
    prefill: step('prefill'),
    decoding: step('decode'),
  };
  const engine = new FakeEngine(() => pipeline);
  return { engine, tvm, pipeline, globals, log, kvLength: () => kv };
}

import type { ModelManifest } from '../model/manifest';
import type { DecoderBackend } from './backend';
import { commonPrefixLength, expandPositions, tokenizeWithImage, type ChunkTokenizer } from './image-tokens';
import { renderChat, type Turn } from './prompt';
import { createRng, sampleToken, type SamplingParams } from './sampler';
import { positionCount, segmentsFrom, snapToImageStart } from './segments';
import { StreamDecoder, type IdDecoder } from './stream-decoder';
import { yieldToEventLoop } from './yield';

export type StopReason = 'eos' | 'length' | 'interrupted';

export type GenerationEvent =
  | { type: 'prefill'; promptTokens: number; reusedTokens: number; prefillMs: number }
  | { type: 'delta'; text: string; tokens: number; tokensPerSecond: number }
  | {
      type: 'complete';
      text: string;
      tokenIds: number[];
      reason: StopReason;
      promptTokens: number;
      prefillMs: number;
      timeToFirstTokenMs: number;
      decodeMs: number;
      tokensPerSecond: number;
    };

export interface AskOptions extends SamplingParams {
  seed?: number;
  signal?: AbortSignal;
  /** Upper bound on new tokens; the context length bounds it too. */
  maxNewTokens?: number;
}

type Clock = () => number;

/**
 * One conversation about one image. Each question re-renders the whole history with the LLaMA-2
 * template, exactly as the reference does, but only the positions that differ from what is
 * already in the KV cache go through the model: a follow-up prefills just the new turn.
 */
export class ChatSession {
  private turns: Turn[] = [];
  /** Position ids (see expandPositions) whose keys/values are in the backend's cache. */
  private cached: number[] = [];
  /** Logits after the last cached position, when `prime` left them (the cache holds a whole prompt). */
  private primedLogits: Float32Array | null = null;

  constructor(
    private readonly backend: DecoderBackend,
    private readonly tokenizer: ChunkTokenizer & IdDecoder,
    private readonly manifest: Pick<ModelManifest, 'prompts' | 'decoder' | 'vision' | 'generation'>,
    private readonly now: Clock = () => performance.now(),
  ) {}

  get history(): readonly Turn[] {
    return this.turns;
  }

  /** Starts a new conversation on the same image; the image rows stay with the backend. */
  reset(): void {
    this.turns = [];
  }

  /**
   * Continues a conversation held elsewhere (a draft restored after a reload): the next question
   * is asked after these finished turns. Nothing runs now; the next ask prefills them.
   */
  seed(turns: Turn[]): void {
    if (turns.some((t) => t.assistant === undefined)) throw new Error('seeded turns must be finished');
    this.turns = turns.map((t) => ({ ...t }));
  }

  /**
   * Prefills the prompt that asking `userText` next would send (system prompt, image rows, the
   * question) and keeps its logits, so that ask(userText) starts sampling at once. Runs only what
   * is not cached already; returns the time it took and the prompt's length.
   */
  async prime(userText: string): Promise<{ promptTokens: number; prefillMs: number }> {
    const { decoder, vision, prompts } = this.manifest;
    const segments = tokenizeWithImage(renderChat(prompts.system, [...this.turns, { user: userText }]), this.tokenizer, decoder.bosTokenId, prompts.imageToken);
    const positions = expandPositions(segments, vision.imageTokens);
    const t0 = this.now();
    if (this.primedLogits && this.cached.length === positions.length && commonPrefixLength(this.cached, positions) === positions.length) {
      return { promptTokens: positions.length, prefillMs: 0 };
    }
    let keep = Math.min(commonPrefixLength(this.cached, positions), positions.length - 1);
    keep = snapToImageStart(segments, keep, vision.imageTokens);
    if (keep < this.backend.cacheLength) await this.backend.trimCache(keep);
    this.cached = positions.slice(0, keep);
    this.primedLogits = null;
    const logits = await this.backend.forward(segmentsFrom(segments, keep, vision.imageTokens));
    this.cached = positions.slice();
    this.primedLogits = logits;
    return { promptTokens: positions.length, prefillMs: this.now() - t0 };
  }

  async *ask(userText: string, opts: AskOptions): AsyncGenerator<GenerationEvent> {
    const { decoder, vision, prompts } = this.manifest;
    const turn: Turn = { user: userText };
    this.turns.push(turn);
    const segments = tokenizeWithImage(renderChat(prompts.system, this.turns), this.tokenizer, decoder.bosTokenId, prompts.imageToken);
    const positions = expandPositions(segments, vision.imageTokens);
    const primed = this.primedLogits && this.cached.length === positions.length && commonPrefixLength(this.cached, positions) === positions.length ? this.primedLogits : null;
    this.primedLogits = null;
    const promptTokens = positionCount(segments, vision.imageTokens);
    const budget = Math.min(opts.maxNewTokens ?? this.manifest.generation.maxNewTokens, decoder.contextLength - promptTokens - 1);
    if (budget <= 0) {
      this.turns.pop();
      throw new Error(`The conversation is too long for the model's context (${promptTokens} of ${decoder.contextLength} tokens). Start a new conversation.`);
    }

    // Reuse the longest cached prefix; at least the last position must run to give logits,
    // unless prime() already ran this very prompt and kept them.
    let keep = primed ? positions.length : Math.min(commonPrefixLength(this.cached, positions), positions.length - 1);
    keep = snapToImageStart(segments, keep, vision.imageTokens);
    if (keep < this.backend.cacheLength) await this.backend.trimCache(keep);
    this.cached = positions.slice(0, keep);

    const t0 = this.now();
    let logits = primed ?? (await this.backend.forward(segmentsFrom(segments, keep, vision.imageTokens)));
    this.cached = positions.slice();
    const prefillMs = this.now() - t0;
    yield { type: 'prefill', promptTokens, reusedTokens: keep, prefillMs };

    const rng = createRng(opts.seed ?? 0x5eed);
    const stream = new StreamDecoder(this.tokenizer);
    const ids: number[] = [];
    let reason: StopReason = 'length';
    let firstTokenAt = 0;
    const decodeStart = this.now();
    while (ids.length < budget) {
      await yieldToEventLoop();
      if (opts.signal?.aborted) {
        reason = 'interrupted';
        break;
      }
      const id = sampleToken(logits, opts, rng);
      if (!firstTokenAt) firstTokenAt = this.now();
      if (id === decoder.eosTokenId) {
        reason = 'eos';
        break;
      }
      ids.push(id);
      const text = stream.push(id);
      const elapsed = (this.now() - decodeStart) / 1000;
      if (text) yield { type: 'delta', text, tokens: ids.length, tokensPerSecond: elapsed > 0 ? ids.length / elapsed : 0 };
      if (ids.length >= budget || opts.signal?.aborted) {
        reason = ids.length >= budget ? 'length' : 'interrupted';
        break;
      }
      logits = await this.backend.forward([{ kind: 'text', ids: [id] }]);
      this.cached.push(id);
    }
    const tail = stream.flush();
    if (tail) yield { type: 'delta', text: tail, tokens: ids.length, tokensPerSecond: 0 };
    const decodeMs = this.now() - decodeStart;
    turn.assistant = stream.text;
    yield {
      type: 'complete',
      text: stream.text,
      tokenIds: ids,
      reason,
      promptTokens,
      prefillMs,
      timeToFirstTokenMs: prefillMs + (firstTokenAt ? firstTokenAt - decodeStart : 0),
      decodeMs,
      tokensPerSecond: decodeMs > 0 ? (ids.length / decodeMs) * 1000 : 0,
    };
  }
}

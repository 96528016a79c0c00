import type { ModelManifest } from '../model/manifest';
import type { DecoderBackend } from './backend';
import { commonPrefixLength, expandPositions, tokenizeWithImage, type ChunkTokenizer, type PromptSegment } from './image-tokens';
import { renderChat, type Turn } from './prompt';
import { createRng, sampleToken, type SamplingParams } from './sampler';
import { positionCount, segmentsFrom, segmentsOfPositions, snapToImageStart } from './segments';
import { StreamDecoder, type IdDecoder } from './stream-decoder';
import { yieldToEventLoop } from './yield';

export type StopReason = 'eos' | 'length' | 'interrupted';

/** The reference's stop text (KeywordsStoppingCriteria(["</s>"])), besides the EOS id. */
export const STOP_TEXT = '</s>';

export interface Budget {
  /** New tokens this answer may have. */
  maxNewTokens: number;
  /**
   * What upstream would allow: min(maxNewTokens setting, contextLength - ids - 1), the prompt's
   * ids counting the image as ONE placeholder (CXR_LLAVA_HF.py generate_cxr_repsonse).
   */
  upstreamMaxNewTokens: number;
  /** Set when the runtime's context (not upstream's rule) is what limits this answer. */
  runtimeContext?: number;
}

/** The status-line note when the runtime's context, not upstream's rule, limits the answer. */
export function budgetNote(b: Budget | undefined): string | undefined {
  if (b?.runtimeContext === undefined) return undefined;
  return `at most ${b.maxNewTokens} new tokens: this runtime's context holds ${b.runtimeContext} positions; upstream would allow ${b.upstreamMaxNewTokens}`;
}

export type GenerationEvent =
  | { type: 'prefill'; promptTokens: number; reusedTokens: number; prefillMs: number; budget: Budget }
  /** timeToFirstTokenMs: as in 'complete', known from the first token on (shown while it streams). */
  | { type: 'delta'; text: string; tokens: number; tokensPerSecond: number; timeToFirstTokenMs: number }
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
  /** Absent: the manifest's generation.topK (upstream: GenerationConfig's default, 50). */
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
    private readonly tokenizer: ChunkTokenizer & IdDecoder & { isSpecial?(id: number): boolean },
    private readonly manifest: Pick<ModelManifest, 'prompts' | 'decoder' | 'vision' | 'generation'> & {
      tokenizer?: Pick<ModelManifest['tokenizer'], 'addBosToken' | 'addEosToken'>;
    },
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
   * The backend's cache was emptied by someone else (the model self-check runs the sample through
   * the same backend): the next question prefills the whole conversation again.
   */
  forgetCache(): void {
    this.cached = [];
    this.primedLogits = null;
  }

  /**
   * Prefills again exactly what the cache held (and the primed logits, when there were some) after
   * someone else emptied it, so the next question reuses it as before. Returns the positions run.
   */
  async refill(held: { positions: number[]; primed: boolean }): Promise<number> {
    this.forgetCache();
    if (!held.positions.length) return 0;
    const logits = await this.backend.forward(segmentsOfPositions(held.positions, this.manifest.vision.imageTokens));
    this.cached = held.positions.slice();
    if (held.primed) this.primedLogits = logits;
    return held.positions.length;
  }

  /** What the cache holds now, for refill() after someone else empties it. */
  holding(): { positions: number[]; primed: boolean } {
    return { positions: this.cached.slice(), primed: this.primedLogits !== null };
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
    const turn: Turn = { user: userText };
    this.turns.push(turn);
    yield* this.answer(turn, this.tokenize(renderChat(this.manifest.prompts.system, this.turns)), [], opts, { refused: () => this.turns.pop() });
  }

  /**
   * Goes on with the last answer from `partial`, the answer so far as the reader left it (edited or
   * not), instead of asking anything new: the prompt is the conversation up to that answer, then
   * the partial answer, left open. `userText` is what a conversation of one answer asks (or of none:
   * its answer then starts from `partial`). An answer that was cut (Stop, or its token budget) and is
   * continued unedited goes on from the very ids it had, so greedy decoding writes what one
   * uncut answer would have.
   */
  async *resume(partial: string, userText: string, opts: AskOptions): AsyncGenerator<GenerationEvent> {
    let turn = this.turns.at(-1);
    const asked = !turn;
    if (!turn) this.turns.push((turn = { user: userText }));
    const was = { user: turn.user, assistant: turn.assistant };
    // A conversation of one answer is the report's: asked as `userText` (an earlier version put back
    // may have been another preset's).
    if (this.turns.length === 1) turn.user = userText;
    const cutIds = this.cut?.turn === turn && this.cut.text === partial && turn.user === was.user ? this.cut.ids : null;
    turn.assistant = undefined;
    const rendered = renderChat(this.manifest.prompts.system, this.turns);
    const prompt = this.tokenize(rendered);
    let segments: PromptSegment[];
    let answerIds: number[];
    let before: string;
    if (cutIds) {
      segments = appendIds(prompt, cutIds);
      answerIds = cutIds;
      before = partial;
    } else {
      // Trailing spaces would be a lone "▁" that the model never writes before a word (the text's
      // own end stays with the caller; the first word's space is dropped below).
      before = partial.replace(/^\s+/, '').replace(/[ \t]+$/, '');
      segments = before ? this.tokenize(`${rendered} ${before}`) : prompt;
      answerIds = idsAfter(prompt, segments);
    }
    const refused = () => {
      if (asked) this.turns.pop();
      else Object.assign(turn, was);
    };
    // The text ends in a space or a line break the prompt left out: the first word's own space
    // goes, so that it reads on from that text as written. (An unedited cut answer joins its ids.)
    let dropSpace = !cutIds && /\s$/.test(partial);
    for await (const e of this.answer(turn, segments, answerIds, opts, { before, refused })) {
      if (dropSpace && e.type === 'delta' && e.text) {
        dropSpace = false;
        yield { ...e, text: e.text.replace(/^ /, '') };
      } else yield e;
    }
  }

  /** The answer cut last (Stop, or its budget), with the ids it had: what resume() continues exactly. */
  private cut: { turn: Turn; text: string; ids: number[] } | null = null;

  private tokenize(prompt: string): PromptSegment[] {
    const { decoder, prompts } = this.manifest;
    const wrap = { addBos: this.manifest.tokenizer?.addBosToken, addEos: this.manifest.tokenizer?.addEosToken, eosId: decoder.eosTokenId };
    return tokenizeWithImage(prompt, this.tokenizer, decoder.bosTokenId, prompts.imageToken, wrap);
  }

  /**
   * Prefills what of `segments` is not cached and samples `turn`'s answer. `context`: the ids of
   * the answer so far (resume), which the streamed text joins; `before`: that answer's text;
   * `refused`: puts the conversation back when the prompt does not fit.
   */
  private async *answer(
    turn: Turn,
    segments: PromptSegment[],
    context: number[],
    opts: AskOptions,
    o: { before?: string; refused: () => void },
  ): AsyncGenerator<GenerationEvent> {
    const { decoder, vision } = this.manifest;
    this.cut = null;
    const positions = expandPositions(segments, vision.imageTokens);
    const primed = this.primedLogits && this.cached.length === positions.length && commonPrefixLength(this.cached, positions) === positions.length ? this.primedLogits : null;
    this.primedLogits = null;
    const promptTokens = positionCount(segments, vision.imageTokens);
    const images = segments.filter((s) => s.kind === 'image').length;
    const idsWithPlaceholders = promptTokens - images * vision.imageTokens + images;
    const upstream = Math.min(opts.maxNewTokens ?? this.manifest.generation.maxNewTokens, decoder.contextLength - idsWithPlaceholders - 1);
    const room = this.backend.contextLimit === undefined ? Infinity : this.backend.contextLimit - promptTokens;
    const budget = Math.min(upstream, room);
    if (budget <= 0) {
      o.refused();
      throw new Error(
        upstream <= 0
          ? `The conversation is too long: the reference allows ${decoder.contextLength} prompt ids (the image counted as one) and this one has ${idsWithPlaceholders}. Start a new conversation.`
          : `The conversation is too long for this runtime's context (${promptTokens} of ${this.backend.contextLimit} positions, the image's ${vision.imageTokens} rows included). Start a new conversation.`,
      );
    }
    const budgetInfo: Budget = { maxNewTokens: budget, upstreamMaxNewTokens: upstream };
    if (room < upstream) budgetInfo.runtimeContext = this.backend.contextLimit;
    const topK = opts.topK ?? this.manifest.generation.topK ?? 0;
    const sampling = { temperature: opts.temperature, topP: opts.topP, topK };

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
    yield { type: 'prefill', promptTokens, reusedTokens: keep, prefillMs, budget: budgetInfo };

    const rng = createRng(opts.seed ?? 0x5eed);
    const stream = new StreamDecoder(this.tokenizer, context);
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
      const id = sampleToken(logits, sampling, rng);
      if (!firstTokenAt) firstTokenAt = this.now();
      if (id === decoder.eosTokenId) {
        reason = 'eos';
        break;
      }
      ids.push(id);
      // Shown text skips special tokens (the reference's streamer: skip_special_tokens=True);
      // they stay in the KV cache like any other generated id.
      const special = this.tokenizer.isSpecial?.(id) ?? false;
      const text = special ? '' : stream.push(id);
      const elapsed = (this.now() - decodeStart) / 1000;
      if (text) yield { type: 'delta', text, tokens: ids.length, tokensPerSecond: elapsed > 0 ? ids.length / elapsed : 0, timeToFirstTokenMs: prefillMs + (firstTokenAt - decodeStart) };
      // KeywordsStoppingCriteria: the text "</s>" within the last (up to) 3 generated tokens.
      if (!special && this.tokenizer.decode(ids.slice(-3).filter((t) => !(this.tokenizer.isSpecial?.(t) ?? false))).includes(STOP_TEXT)) {
        reason = 'eos';
        break;
      }
      if (ids.length >= budget || opts.signal?.aborted) {
        reason = ids.length >= budget ? 'length' : 'interrupted';
        break;
      }
      logits = await this.backend.forward([{ kind: 'text', ids: [id] }]);
      this.cached.push(id);
    }
    const tail = stream.flush();
    if (tail) yield { type: 'delta', text: tail, tokens: ids.length, tokensPerSecond: 0, timeToFirstTokenMs: prefillMs + (firstTokenAt - decodeStart) };
    const decodeMs = this.now() - decodeStart;
    turn.assistant = (o.before ?? '') + stream.text;
    if (reason !== 'eos') this.cut = { turn, text: turn.assistant, ids: [...context, ...ids] };
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

/** The prompt with `ids` after its last text (an answer so far, as the ids it was written with). */
function appendIds(segments: PromptSegment[], ids: number[]): PromptSegment[] {
  const last = segments.at(-1);
  if (last?.kind === 'text') return [...segments.slice(0, -1), { kind: 'text', ids: [...last.ids, ...ids] }];
  return [...segments, { kind: 'text', ids }];
}

/** The ids `full` has after `prompt` (an answer so far, as tokenised with the prompt); [] when it does not extend it. */
function idsAfter(prompt: PromptSegment[], full: PromptSegment[]): number[] {
  const a = expandPositions(prompt, 0);
  const b = expandPositions(full, 0);
  return commonPrefixLength(a, b) === a.length ? b.slice(a.length) : [];
}

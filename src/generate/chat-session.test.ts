import { describe, expect, it } from 'vitest';
import type { DecoderBackend } from './backend';
import { budgetNote, ChatSession, type GenerationEvent } from './chat-session';
import type { PromptSegment } from './image-tokens';
import { llama2Tokenizer } from './test-tokenizer';

const IMAGE_TOKENS = 4;
const VOCAB = 32000;

/**
 * A backend whose next token is a pure function of the cached positions, so the test can tell
 * exactly what went through it; it records every forward call.
 */
class RecordingBackend implements DecoderBackend {
  description = 'fake';
  positions: number[] = [];
  calls: PromptSegment[][] = [];
  trims: number[] = [];
  contextLimit?: number;
  constructor(private readonly script: (positions: number[]) => number) {}
  get cacheLength() {
    return this.positions.length;
  }
  async setImage() {}
  async forward(segments: PromptSegment[]) {
    this.calls.push(segments);
    for (const s of segments) {
      if (s.kind === 'text') this.positions.push(...s.ids);
      else for (let r = 0; r < IMAGE_TOKENS; r++) this.positions.push(-1 - r);
    }
    const logits = new Float32Array(VOCAB);
    logits[this.script(this.positions)] = 10;
    return logits;
  }
  async trimCache(length: number) {
    this.trims.push(length);
    this.positions.length = length;
  }
  async dispose() {}
}

const manifest = {
  prompts: {
    system: 'You are a helpful radiologist.',
    report: '<image>\nWrite a report.\n',
    differential: '<image>\nDifferential?\n',
    question: '<image>\n{question}',
    imageToken: '<image>' as const,
  },
  decoder: { bosTokenId: 1, eosTokenId: 2, contextLength: 2048 } as never,
  vision: { imageTokens: IMAGE_TOKENS } as never,
  generation: { temperature: 0, topP: 1, topK: 50, maxNewTokens: 512 },
};

async function collect(gen: AsyncGenerator<GenerationEvent>) {
  const events: GenerationEvent[] = [];
  for await (const e of gen) events.push(e);
  return events;
}

describe('ChatSession', () => {
  it('streams until </s>, then a follow-up prefills only the new turn', async () => {
    const t = await llama2Tokenizer();
    const answer = t.encode('No acute findings.');
    // Answer "No acute findings." then </s>, whatever the prompt.
    const backend = new RecordingBackend((p) => {
      const turnStart = p.lastIndexOf(29962) + 1; // after the last "]" of [/INST]
      const k = p.length - turnStart;
      return k < answer.length ? answer[k]! : 2;
    });
    const chat = new ChatSession(backend, t, manifest);
    const first = await collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1 }));
    const done1 = first.at(-1)!;
    expect(done1.type).toBe('complete');
    if (done1.type !== 'complete') return;
    expect(done1.text).toBe('No acute findings.');
    expect(done1.reason).toBe('eos');
    expect(done1.tokenIds).toEqual(answer);
    const deltas = first.flatMap((e) => (e.type === 'delta' ? [e] : []));
    expect(deltas.map((e) => e.text).join('')).toBe('No acute findings.');
    // The first-token time is known from the first delta on (the status line shows it while it streams).
    expect(done1.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(deltas.map((e) => e.timeToFirstTokenMs)).toEqual(deltas.map(() => done1.timeToFirstTokenMs));
    // One prefill with the image, then one call per generated token (the last one's logits give </s>).
    expect(backend.calls[0]!.some((s) => s.kind === 'image')).toBe(true);
    expect(backend.calls).toHaveLength(1 + answer.length);
    const cachedAfterFirst = backend.cacheLength;

    backend.calls = [];
    const second = await collect(chat.ask('Is there a pleural effusion?', { temperature: 0, topP: 1 }));
    const prefill = second[0]!;
    expect(prefill.type).toBe('prefill');
    if (prefill.type !== 'prefill') return;
    // Everything up to the last fed answer token is reused: no image, no system prompt again.
    expect(backend.calls[0]!.some((s) => s.kind === 'image')).toBe(false);
    expect(prefill.reusedTokens).toBe(cachedAfterFirst);
    const newIds = (backend.calls[0]![0] as { ids: number[] }).ids;
    // The new positions: " </s>" as re-rendered, and the new turn.
    expect(newIds.slice(0, 3)).toEqual([29871, 2, 1]);
    expect(t.decode(newIds.slice(3))).toBe('[INST] Is there a pleural effusion? [/INST]');
    expect(chat.history).toHaveLength(2);
  }, 60_000); // the first test also loads the tokenizer's wasm, slow on a loaded machine

  it('honours an interrupt within one token and can generate again afterwards', async () => {
    const t = await llama2Tokenizer();
    const backend = new RecordingBackend(() => 3681); // never stops by itself
    const chat = new ChatSession(backend, t, manifest);
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    for await (const e of chat.ask(manifest.prompts.report, { temperature: 0, topP: 1, signal: controller.signal })) {
      events.push(e);
      if (e.type === 'delta' && e.tokens === 5) controller.abort();
    }
    const done = events.at(-1)!;
    expect(done.type === 'complete' && done.reason).toBe('interrupted');
    expect(done.type === 'complete' && done.tokenIds.length).toBe(5);
    const again = await collect(chat.ask('Next?', { temperature: 0, topP: 1, maxNewTokens: 3 }));
    const done2 = again.at(-1)!;
    expect(done2.type === 'complete' && done2.reason).toBe('length');
    expect(done2.type === 'complete' && done2.tokenIds.length).toBe(3);
  });

  it('refuses a question that does not fit the context, and keeps the history as it was', async () => {
    const t = await llama2Tokenizer();
    const chat = new ChatSession(new RecordingBackend(() => 2), t, { ...manifest, decoder: { bosTokenId: 1, eosTokenId: 2, contextLength: 10 } as never });
    await expect(collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1 }))).rejects.toThrow(/too long: the reference allows 10 prompt ids \(the image counted as one\)/);
    expect(chat.history).toHaveLength(0);
  });

  it('budget as upstream: min(max new tokens, contextLength - ids with the image as ONE id - 1)', async () => {
    const t = await llama2Tokenizer();
    const backend = new RecordingBackend(() => 3681); // never stops by itself
    const chat = new ChatSession(backend, t, { ...manifest, decoder: { bosTokenId: 1, eosTokenId: 2, contextLength: 60 } as never });
    const events = await collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1 }));
    const prefill = events[0]!;
    const done = events.at(-1)!;
    if (prefill.type !== 'prefill' || done.type !== 'complete') throw new Error('events');
    const ids = prefill.promptTokens - IMAGE_TOKENS + 1;
    expect(prefill.budget).toEqual({ maxNewTokens: 60 - ids - 1, upstreamMaxNewTokens: 60 - ids - 1 });
    expect(done.reason).toBe('length');
    expect(done.tokenIds).toHaveLength(60 - ids - 1);
  });

  it("caps the budget by the runtime's context and says so", async () => {
    const t = await llama2Tokenizer();
    const backend = new RecordingBackend(() => 3681);
    const chat = new ChatSession(backend, t, manifest);
    const probe = await collect(new ChatSession(new RecordingBackend(() => 2), t, manifest).ask(manifest.prompts.report, { temperature: 0, topP: 1 }));
    const promptTokens = (probe[0] as { promptTokens: number }).promptTokens;
    backend.contextLimit = promptTokens + 7;
    const events = await collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1 }));
    const prefill = events[0]!;
    if (prefill.type !== 'prefill') throw new Error('events');
    expect(prefill.budget.maxNewTokens).toBe(7);
    expect(prefill.budget.upstreamMaxNewTokens).toBe(512);
    expect(prefill.budget.runtimeContext).toBe(promptTokens + 7);
    expect((events.at(-1) as { tokenIds: number[] }).tokenIds).toHaveLength(7);
    expect(budgetNote(prefill.budget)).toBe(
      `at most 7 new tokens: this runtime's context holds ${promptTokens + 7} positions; upstream would allow 512`,
    );
    expect(budgetNote({ maxNewTokens: 512, upstreamMaxNewTokens: 512 })).toBeUndefined();
  });

  it('stops on the text "</s>" (KeywordsStoppingCriteria) and leaves special tokens out of the text', async () => {
    const t = await llama2Tokenizer();
    // "Clear." then <s> (a special id, generated), then "</" "s" ">" as plain text pieces.
    const stopPieces = [829, 29879, 29958];
    expect(t.decode(stopPieces)).toBe('</s>');
    const script = [...t.encode('Clear.'), 1, ...stopPieces, 3681, 3681];
    const backend = new RecordingBackend((p) => {
      const k = p.length - (p.lastIndexOf(29962) + 1);
      return script[k]!;
    });
    const chat = new ChatSession(backend, t, manifest);
    const events = await collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1 }));
    const done = events.at(-1)!;
    if (done.type !== 'complete') throw new Error('events');
    expect(done.reason).toBe('eos');
    expect(done.tokenIds).toEqual(script.slice(0, -2));
    expect(done.text).not.toContain('<s>');
    expect(done.text.startsWith('Clear.')).toBe(true);
    expect(done.text.endsWith('</s>')).toBe(true);
    expect(chat.history[0]!.assistant).toBe(done.text);
  });

  it('prime() prefills the report prompt ahead; asking it then samples at once with the same tokens', async () => {
    const t = await llama2Tokenizer();
    const answer = t.encode('Heart size normal.');
    const script = (p: number[]) => {
      const k = p.length - (p.lastIndexOf(29962) + 1);
      return k < answer.length ? answer[k]! : 2;
    };
    const plain = await collect(new ChatSession(new RecordingBackend(script), t, manifest).ask(manifest.prompts.report, { temperature: 0, topP: 1 }));

    const backend = new RecordingBackend(script);
    const chat = new ChatSession(backend, t, manifest);
    const primed = await chat.prime(manifest.prompts.report);
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]!.some((s) => s.kind === 'image')).toBe(true);
    expect(primed.promptTokens).toBe(backend.cacheLength);
    // Priming twice runs nothing more.
    expect((await chat.prime(manifest.prompts.report)).prefillMs).toBe(0);
    expect(backend.calls).toHaveLength(1);

    backend.calls = [];
    const events = await collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1 }));
    const prefill = events[0]!;
    expect(prefill.type === 'prefill' && prefill.reusedTokens).toBe(primed.promptTokens);
    // No prefill forward at all: only one call per generated token.
    expect(backend.calls.every((c) => c.length === 1 && c[0]!.kind === 'text' && c[0]!.ids.length === 1)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'complete', tokenIds: (plain.at(-1) as { tokenIds: number[] }).tokenIds, text: 'Heart size normal.' });
  });

  it('a different question after prime() reuses the cached system prompt and image, not the primed logits', async () => {
    const t = await llama2Tokenizer();
    const backend = new RecordingBackend(() => 2);
    const chat = new ChatSession(backend, t, manifest);
    await chat.prime(manifest.prompts.report);
    backend.calls = [];
    const events = await collect(chat.ask(manifest.prompts.differential, { temperature: 0, topP: 1 }));
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]!.some((s) => s.kind === 'image')).toBe(false);
    const prefill = events[0]!;
    expect(prefill.type === 'prefill' && prefill.reusedTokens).toBeGreaterThan(IMAGE_TOKENS);
  });
});

describe('ChatSession.resume (the report\'s Continue)', () => {
  const text = 'Heart size is normal. No pleural effusion.';

  /** Answers `text` token by token after the last [/INST], counting the answer so far, then </s>. */
  async function answering() {
    const t = await llama2Tokenizer();
    const answer = t.encode(text);
    const backend = new RecordingBackend((p) => {
      const k = p.length - (p.lastIndexOf(29962) + 1);
      return k < answer.length ? answer[k]! : 2;
    });
    return { t, answer, backend, chat: new ChatSession(backend, t, manifest) };
  }

  const textOf = (events: GenerationEvent[]) => events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');

  it('continues a cut answer from the ids it had: the two parts are the uncut answer, and only the missing id is prefilled', async () => {
    const { answer, backend, chat } = await answering();
    const first = await collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1, maxNewTokens: 4 }));
    expect(first.at(-1)).toMatchObject({ type: 'complete', reason: 'length', tokenIds: answer.slice(0, 4) });
    const partial = textOf(first);
    // The prompt and the first 3 ids; the 4th was sampled as the budget ended, never run.
    const cachedBefore = backend.cacheLength;
    backend.calls = [];
    const rest = await collect(chat.resume(partial, manifest.prompts.report, { temperature: 0, topP: 1 }));
    const done = rest.at(-1)!;
    expect(done).toMatchObject({ type: 'complete', reason: 'eos', tokenIds: answer.slice(4) });
    // Its space included: " normal", not "normal".
    expect(partial + textOf(rest)).toBe(text);
    // Only that 4th id is prefilled.
    expect(backend.calls[0]).toEqual([{ kind: 'text', ids: [answer[3]] }]);
    expect(rest[0]).toMatchObject({ type: 'prefill', reusedTokens: cachedBefore });
    expect(chat.history).toHaveLength(1);
    expect(chat.history[0]!.assistant).toBe(text);
  });

  it('a cut answer ending in a space or line break goes on as the uncut answer: its own join, nothing dropped', async () => {
    const t = await llama2Tokenizer();
    const whole = 'Heart size is normal. \n No pleural effusion.';
    const answer = t.encode(whole);
    const backend = new RecordingBackend((p) => {
      const k = p.length - (p.lastIndexOf(29962) + 1);
      return k < answer.length ? answer[k]! : 2;
    });
    const chat = new ChatSession(backend, t, manifest);
    // Cut just after the line break.
    const cut = answer.indexOf(13) + 1;
    const first = await collect(chat.ask(manifest.prompts.report, { temperature: 0, topP: 1, maxNewTokens: cut }));
    const partial = textOf(first);
    expect(partial).toMatch(/\s$/);
    const rest = await collect(chat.resume(partial, manifest.prompts.report, { temperature: 0, topP: 1 }));
    expect(partial + textOf(rest)).toBe(t.decode(answer));
  });

  it('continues from the text as edited: the prompt ends with it, the model goes on after it', async () => {
    const { t, answer, backend, chat } = await answering();
    const stop = new AbortController();
    for await (const e of chat.ask(manifest.prompts.report, { temperature: 0, topP: 1, signal: stop.signal })) if (e.type === 'delta' && e.tokens === 2) stop.abort();
    // The reader changes "Heart size" to "Heart size is" (a trailing space, as typed) and continues.
    const edited = 'Heart size is ';
    const rest = await collect(chat.resume(edited, manifest.prompts.report, { temperature: 0, topP: 1 }));
    const cached = backend.positions;
    const inst = cached.lastIndexOf(29962) + 1;
    // The prompt's answer is the edited text without its trailing space: ▁Heart ▁size ▁is.
    expect(cached.slice(inst, inst + 3)).toEqual(t.encode('Heart size is'));
    expect(rest.at(-1)).toMatchObject({ type: 'complete', reason: 'eos', tokenIds: answer.slice(3) });
    // The text ends in the space the reader typed: the model's words follow it with none of their own.
    expect(edited + textOf(rest)).toBe('Heart size is normal. No pleural effusion.');
    expect(chat.history[0]!.assistant).toBe('Heart size is normal. No pleural effusion.');
  });

  it('refuses what does not fit, with the answer put back as it was', async () => {
    const t = await llama2Tokenizer();
    const chat = new ChatSession(new RecordingBackend(() => 3681), t, { ...manifest, decoder: { bosTokenId: 1, eosTokenId: 2, contextLength: 60 } as never });
    chat.seed([{ user: manifest.prompts.report, assistant: 'Short.' }]);
    await expect(collect(chat.resume('word '.repeat(80), manifest.prompts.differential, { temperature: 0, topP: 1 }))).rejects.toThrow(/too long/);
    expect(chat.history).toEqual([{ user: manifest.prompts.report, assistant: 'Short.' }]);
  });

  it("asks a one-answer conversation as the given turn: an earlier version put back may be another preset's", async () => {
    const { t, chat, backend } = await answering();
    await collect(chat.ask(manifest.prompts.differential, { temperature: 0, topP: 1, maxNewTokens: 3 }));
    await collect(chat.resume('Heart size', manifest.prompts.report, { temperature: 0, topP: 1 }));
    expect(chat.history).toEqual([{ user: manifest.prompts.report, assistant: text }]);
    const prompt = t.decode(backend.positions.filter((p) => p >= 0));
    expect(prompt).toContain('Write a report. [/INST] Heart size');
    expect(prompt).not.toContain('Differential?');
  });

  it('with no conversation yet, asks the given turn with the text as the start of its answer', async () => {
    const { t, chat, backend } = await answering();
    const rest = await collect(chat.resume('Heart size', manifest.prompts.report, { temperature: 0, topP: 1 }));
    expect(textOf(rest)).toBe(' is normal. No pleural effusion.');
    expect(chat.history).toEqual([{ user: manifest.prompts.report, assistant: text }]);
    expect(t.decode(backend.positions.filter((p) => p >= 0))).toContain('Write a report. [/INST] Heart size');
  });
});

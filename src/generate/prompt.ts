import type { PromptSpec } from '../model/manifest';

export interface Turn {
  user: string;
  /** Absent for the turn being asked now. */
  assistant?: string;
}

/**
 * The LLaMA-2 chat template as transformers 4.36's default for LlamaTokenizer renders it
 * (what CXR-LLaVA's reference calls): the system prompt is folded into the first user turn, every
 * turn's text is stripped, and each finished exchange is closed with `</s>`:
 *   <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{u1} [/INST] {a1} </s><s>[INST] {u2} [/INST]
 */
export function renderChat(system: string, turns: Turn[]): string {
  let out = '';
  turns.forEach((turn, i) => {
    const content = i === 0 && system ? `<<SYS>>\n${system}\n<</SYS>>\n\n${turn.user}` : turn.user;
    out += `<s>[INST] ${pyStrip(content)} [/INST]`;
    if (turn.assistant !== undefined) out += ` ${pyStrip(turn.assistant)} </s>`;
  });
  return out;
}

/** Python's str.strip(): removes leading and trailing whitespace. */
export function pyStrip(s: string): string {
  return s.replace(/^\s+|\s+$/g, '');
}

export type PresetId = 'report' | 'differential' | 'question';

/** The user text of a preset; `question` fills `{question}`. Image placeholder included. */
export function presetUserText(prompts: PromptSpec, preset: PresetId, question = ''): string {
  if (preset === 'question') return prompts.question.replace('{question}', question);
  return prompts[preset];
}

// Chat templates: the Jinja template a model ships in tokenizer_config.json (or
// chat_template.jinja), rendered with @huggingface/jinja the way transformers'
// apply_chat_template renders it (trim_blocks and lstrip_blocks, special tokens in the context).
import { Template } from '@huggingface/jinja';
import { CheckpointError } from './errors.js';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatOptions {
  /** A system prompt, sent as a first `system` message. */
  system?: string;
  /** End with the header of an assistant turn so the model answers next (default true). */
  addGenerationPrompt?: boolean;
  /** What the template's strftime_now() sees; fix it for reproducible prompts. Default: now. */
  date?: Date;
  /** Further template variables (e.g. `date_string`). */
  variables?: Record<string, unknown>;
}

/** The special tokens a template may refer to. */
export interface SpecialTokens {
  bos_token?: string;
  eos_token?: string;
  pad_token?: string;
  unk_token?: string;
}

type Json = Record<string, unknown>;

function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

export function specialTokensOf(tokenizerConfig: Json): SpecialTokens {
  return {
    bos_token: tokenContent(tokenizerConfig.bos_token),
    eos_token: tokenContent(tokenizerConfig.eos_token),
    pad_token: tokenContent(tokenizerConfig.pad_token),
    unk_token: tokenContent(tokenizerConfig.unk_token),
  };
}

/**
 * The template text: `chat_template` is a string, or a list of {name, template} of which
 * `name` (default "default") is taken. A chat_template.jinja file, when given, wins, as in
 * transformers.
 */
export function selectChatTemplate(tokenizerConfig: Json, options: { name?: string; fileTemplate?: string; source?: string } = {}): string {
  const source = options.source ?? 'tokenizer_config.json';
  if (options.fileTemplate !== undefined && options.name === undefined) return options.fileTemplate;
  const t = tokenizerConfig.chat_template;
  if (typeof t === 'string') {
    if (options.name !== undefined && options.name !== 'default') {
      throw new CheckpointError('chat-template-error', `${source}: has a single chat template, not one named "${options.name}"`, { path: source, name: options.name });
    }
    return t;
  }
  if (Array.isArray(t)) {
    const named = new Map<string, string>();
    for (const entry of t as unknown[]) {
      const e = entry as Json;
      if (e && typeof e.name === 'string' && typeof e.template === 'string') named.set(e.name, e.template);
    }
    const want = options.name ?? 'default';
    const found = named.get(want);
    if (found === undefined) {
      throw new CheckpointError('chat-template-error', `${source}: no chat template named "${want}"; it has: ${[...named.keys()].join(', ') || 'none'}`, { path: source, name: want });
    }
    return found;
  }
  throw new CheckpointError('chat-template-error', `${source}: the model has no chat_template, so prompts cannot be wrapped in one`, { path: source, name: 'chat_template' });
}

/** A compiled chat template bound to a model's special tokens. */
export class ChatTemplate {
  private readonly template: Template;

  constructor(readonly text: string, readonly specialTokens: SpecialTokens = {}, readonly source = 'chat template') {
    try {
      this.template = new Template(text);
    } catch (e) {
      throw new CheckpointError('chat-template-error', `${source}: the chat template does not parse (${(e as Error).message})`, { path: source, cause: e });
    }
    // The library's strftime_now reads the clock and cannot be overridden (its globals are
    // declared before the render context), so the template's calls are pointed at ours.
    renameIdentifier(this.template.parsed, 'strftime_now', CLOCK);
  }

  /** Renders `messages` (or one user message) into the prompt text. */
  render(messages: ChatMessage[] | string, options: ChatOptions = {}): string {
    const list: ChatMessage[] = typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages;
    list.forEach((m, i) => {
      if (!m || typeof m.role !== 'string' || typeof m.content !== 'string') {
        throw new CheckpointError('chat-template-error', `${this.source}: messages[${i}] needs a string role and content`, { path: this.source, name: `messages[${i}]` });
      }
    });
    const all = options.system === undefined ? list : [{ role: 'system', content: options.system }, ...list];
    const date = options.date ?? new Date();
    const context: Json = {
      ...options.variables,
      ...this.specialTokens,
      messages: all.map((m) => ({ ...m })),
      add_generation_prompt: options.addGenerationPrompt ?? true,
      [CLOCK]: (format: string) => strftime(date, format),
    };
    try {
      return this.template.render(context);
    } catch (e) {
      throw new CheckpointError('chat-template-error', `${this.source}: the chat template failed: ${(e as Error).message}`, { path: this.source, cause: e });
    }
  }
}

const CLOCK = 'knobe_strftime_now';

function renameIdentifier(node: unknown, from: string, to: string): void {
  if (Array.isArray(node)) {
    for (const n of node) renameIdentifier(n, from, to);
  } else if (node && typeof node === 'object') {
    const o = node as Json;
    if (o.type === 'Identifier' && o.value === from) o.value = to;
    for (const v of Object.values(o)) if (v && typeof v === 'object') renameIdentifier(v, from, to);
  }
}

/** The chat template of a checkpoint (its tokenizer_config.json, or chat_template.jinja). */
export function chatTemplateFor(
  checkpoint: { dir?: string; tokenizerConfig: Json; chatTemplate?: string },
  name?: string,
): ChatTemplate {
  const source = checkpoint.dir ?? 'tokenizer_config.json';
  const text = selectChatTemplate(checkpoint.tokenizerConfig, { name, fileTemplate: checkpoint.chatTemplate, source });
  return new ChatTemplate(text, specialTokensOf(checkpoint.tokenizerConfig), source);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * The strftime directives chat templates use (Llama-3.2 writes "%d %b %Y"), in UTC so the same
 * date renders the same everywhere. Written here because the templating library's own version
 * reads the clock and we need a fixed date for reproducible prompts.
 */
export function strftime(d: Date, format: string): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return format.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'Y': return String(d.getUTCFullYear());
      case 'y': return pad(d.getUTCFullYear() % 100);
      case 'm': return pad(d.getUTCMonth() + 1);
      case 'd': return pad(d.getUTCDate());
      case 'e': return String(d.getUTCDate()).padStart(2, ' ');
      case 'H': return pad(d.getUTCHours());
      case 'M': return pad(d.getUTCMinutes());
      case 'S': return pad(d.getUTCSeconds());
      case 'B': return MONTHS[d.getUTCMonth()];
      case 'b': return MONTHS[d.getUTCMonth()].slice(0, 3);
      case 'A': return DAYS[d.getUTCDay()];
      case 'a': return DAYS[d.getUTCDay()].slice(0, 3);
      case '%': return '%';
      default: return all;
    }
  });
}

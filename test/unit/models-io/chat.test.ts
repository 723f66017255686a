import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatTemplate, chatTemplateFor, selectChatTemplate, strftime, type ChatMessage } from '../../../src/core/models/chat.js';
import { loadCheckpoint } from '../../../src/core/models/checkpoint.js';
import { CheckpointError, type CheckpointErrorCode } from '../../../src/core/models/errors.js';
import { ModelTokenizer } from '../../../src/core/models/tokenizer.js';
import { writeTestCheckpoint } from '../../support/checkpoints.js';
import { expectError } from '../../support/errors.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const templates = JSON.parse(readFileSync(join(fixtures, 'chat-templates.json'), 'utf8')) as Record<string, string>;
// Rendered by Python's jinja2 as transformers sets it up (fixtures/make-chat-golden.py).
const golden = JSON.parse(readFileSync(join(fixtures, 'chat-golden.json'), 'utf8')) as Record<string, { ok?: string; error?: string }>;

const conversations: Record<string, { messages: ChatMessage[]; system?: string }> = {
  one: { messages: [{ role: 'user', content: 'How intentionally did the chairman harm the environment? ' }] },
  system: { messages: [{ role: 'user', content: 'Rate it.' }], system: ' Answer with a number.' },
  multi: { messages: [{ role: 'user', content: 'Q1' }, { role: 'assistant', content: 'A1' }, { role: 'user', content: 'Q2' }] },
  bad: { messages: [{ role: 'assistant', content: 'A0' }] },
};

test('templates render exactly as jinja2 renders them for transformers', () => {
  const date = new Date(Date.UTC(2025, 2, 5, 12));
  let checked = 0;
  for (const [key, want] of Object.entries(golden)) {
    const [tname, cname, gen] = key.split('/');
    const t = new ChatTemplate(templates[tname], { bos_token: '<s>', eos_token: '</s>' }, `fixture ${tname}`);
    const { messages, system } = conversations[cname];
    const render = () => t.render(messages, { system, addGenerationPrompt: gen === 'gen', date });
    if (want.ok !== undefined) {
      assert.equal(render(), want.ok, key);
    } else {
      assert.throws(render, (e: unknown) => e instanceof CheckpointError && e.code === 'chat-template-error'
        && e.message.includes(want.error as string) && e.message.includes(`fixture ${tname}`), key);
    }
    checked++;
  }
  assert.equal(checked, 32);
});

test('a plain string is one user message; generation prompt is on by default', () => {
  const t = new ChatTemplate(templates.turns, { bos_token: '<bos>' });
  assert.equal(t.render('Hi'), '<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n');
  assert.equal(t.render('Hi', { addGenerationPrompt: false }), '<bos><start_of_turn>user\nHi<end_of_turn>\n');
  const v = new ChatTemplate('{{ date_string }}|{{ strftime_now("%Y-%m-%d") }}');
  assert.equal(v.render([], { variables: { date_string: '26 Jul 2024' }, date: new Date(Date.UTC(2024, 6, 26)) }), '26 Jul 2024|2024-07-26');
});

test('strftime covers the directives templates use', () => {
  const d = new Date(Date.UTC(2025, 0, 7, 9, 5, 3));
  const cases: Array<[string, string]> = [
    ['%d %b %Y', '07 Jan 2025'], ['%B %e, %y', 'January  7, 25'], ['%A %a', 'Tuesday Tue'],
    ['%H:%M:%S', '09:05:03'], ['%m/%d', '01/07'], ['100%%', '100%'], ['%Q', '%Q'],
  ];
  for (const [fmt, want] of cases) assert.equal(strftime(d, fmt), want, fmt);
});

test('templates are picked from tokenizer_config.json: a string, a named list, or chat_template.jinja', () => {
  assert.equal(selectChatTemplate({ chat_template: 'A' }), 'A');
  const list = { chat_template: [{ name: 'default', template: 'D' }, { name: 'tool_use', template: 'T' }] };
  assert.equal(selectChatTemplate(list), 'D');
  assert.equal(selectChatTemplate(list, { name: 'tool_use' }), 'T');
  assert.equal(selectChatTemplate({ chat_template: 'A' }, { fileTemplate: 'F' }), 'F');
});

test('a test checkpoint\'s template, rendered and tokenized without adding a second BOS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'knobe-chat-'));
  const ck = await loadCheckpoint(writeTestCheckpoint(dir, 'llama').dir, { hash: false });
  const text = chatTemplateFor(ck).render('How did the chairman', { system: 'Rate' });
  assert.equal(text, '<|bos|><|user|>system: Rate\n<|user|>How did the chairman\n<|assistant|>');
  const tok = new ModelTokenizer(ck.tokenizerJson, ck.tokenizerConfig, ck.dir);
  const ids = tok.encode(text, { addSpecialTokens: false });
  assert.equal(ids.filter((id) => id === tok.bosTokenId).length, 1);
  assert.equal(ids[0], tok.bosTokenId);
  assert.equal(ids.at(-1), tok.tokenToId('<|assistant|>'));

  writeFileSync(join(dir, 'chat_template.jinja'), '{{ bos_token }}[{{ messages[0].content }}]\n');
  const withFile = await loadCheckpoint(dir);
  assert.ok(withFile.files.includes('chat_template.jinja'));
  assert.equal(chatTemplateFor(withFile).render('x'), '<|bos|>[x]');
});

test('template problems are chat-template-errors naming the source', () => {
  expectError(() => selectChatTemplate({}, { source: 'models/base' }), 'chat-template-error', 'models/base', 'no chat_template');
  expectError(() => selectChatTemplate({ chat_template: [{ name: 'default', template: 'D' }] }, { name: 'rag' }), 'chat-template-error', '"rag"', 'default');
  expectError(() => selectChatTemplate({ chat_template: 'A' }, { name: 'rag' }), 'chat-template-error', '"rag"');
  expectError(() => new ChatTemplate('{% for m in messages %}', {}, 'models/x'), 'chat-template-error', 'models/x', 'does not parse');
  expectError(() => new ChatTemplate('{{ x }}').render([{ role: 'user' } as ChatMessage]), 'chat-template-error', 'messages[0]');
});

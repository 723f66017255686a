// The exact text each model receives for a vignette, to be looked at: by the CLI (`knobe prompt`),
// the editor's Show Prompt command and its hover on an item. Only the tokenizer, its
// configuration and the chat template are read — no weights — so it is quick on any model; the
// text and tokens are made by the same code a run uses (prompts.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Condition, ModelRole } from '../../common/results.js';
import { cellByName, knobeCells, wordText, type KnobeCell, type KnobeDocument } from '../format/nodes.js';
import { pairSpec, scenarioSet, type PairSpec } from '../format/specs.js';
import type { ModelSource } from '../format/values.js';
import { parseConfig } from '../models/config.js';
import { DEMO_MAX_POSITIONS } from '../models/demo/index.js';
import { demoTokenizerConfig, demoTokenizerJson, demoVocabulary } from '../models/demo/tokenizer.js';
import { cachedSnapshot, parseHubSource } from '../models/hub.js';
import { loadTokenizer, ModelTokenizer } from '../models/tokenizer.js';
import { StudyError } from './errors.js';
import { localFolder } from './models.js';
import { renderPrompts, type PromptModel } from './prompts.js';

export interface ShownPrompt {
  model: ModelRole;
  /** The model source as written in the pair cell. */
  source: string;
  /** `item (condition)`. */
  vignette: string;
  condition: Condition;
  prompt: 'raw' | 'chat';
  text: string;
  ids: number[];
  /** The tokenizer's string for each id. */
  tokens: string[];
}

export interface ShowOptions {
  /** Default: both models of the pair. */
  models?: ModelRole[];
  /** The pair cell; default the pair of the first cell that rates or localizes the set, else the only pair. */
  pair?: string;
}

/** Folders and settings a model source is found with (a subset of the study's ModelHost). */
export interface PromptHost {
  baseDir: string;
  cacheDir: string;
}

const ROLES: readonly ModelRole[] = ['pretrained', 'finetuned'];

/**
 * Every vignette of an item as each model receives it. `item` is `ITEM` (unique across the
 * notebook's sets) or `SET/ITEM`.
 */
export async function showPrompts(doc: KnobeDocument, target: { item: string }, host: PromptHost, opts: ShowOptions = {}): Promise<ShownPrompt[]> {
  const { setCell, item } = findItem(doc, target.item);
  const set = scenarioSet(doc, setCell);
  const vignettes = set.vignettes.filter((v) => v.item === item);
  const spec = pairSpec(doc, pairFor(doc, set.name, opts.pair));
  const out: ShownPrompt[] = [];
  for (const role of opts.models ?? ROLES) {
    const model = promptModel(spec, role, host);
    const prompts = renderPrompts(model, set, spec, vignettes);
    prompts.forEach((p, i) => {
      out.push({
        model: role,
        source: model.source,
        vignette: p.name,
        condition: vignettes[i].condition,
        prompt: spec.prompt,
        text: p.text,
        ids: p.ids,
        tokens: model.tokenizer.tokenStrings(p.ids).map((t, k) => t ?? `<${p.ids[k]}>`),
      });
    });
  }
  return out;
}

/** Prompts as plain text: a header line per vignette and model, the text, and optionally its token pieces. */
export function formatPrompts(shown: readonly ShownPrompt[], opts: { tokens?: boolean } = {}): string {
  return shown
    .map((s) => {
      const head = `── ${s.vignette} · ${s.model} \`${s.source}\` · ${s.prompt} · ${s.ids.length} tokens ──`;
      return [head, s.text, ...(opts.tokens ? ['', `tokens: ${s.tokens.join(' ')}`] : [])].join('\n');
    })
    .join('\n\n');
}

/**
 * Prompts as Markdown for a hover: one fenced block per vignette, shared by the models when they
 * receive the same text (the usual case with `prompt: raw`).
 */
export function promptMarkdown(shown: readonly ShownPrompt[]): string {
  const byVignette = new Map<string, ShownPrompt[]>();
  for (const s of shown) byVignette.set(s.vignette, [...(byVignette.get(s.vignette) ?? []), s]);
  const fence = (text: string) => {
    const ticks = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    return `${ticks}text\n${text}\n${ticks}`;
  };
  const parts: string[] = [];
  for (const [vignette, list] of byVignette) {
    const same = list.every((s) => s.text === list[0].text && s.ids.join() === list[0].ids.join());
    const groups = same ? [{ who: list.map((s) => s.model).join(' and '), s: list[0] }] : list.map((s) => ({ who: s.model, s }));
    for (const { who, s } of groups) parts.push(`**${vignette}** · ${who} · ${s.prompt} · ${s.ids.length} tokens\n\n${fence(s.text)}`);
  }
  return parts.join('\n\n');
}

function allItems(doc: KnobeDocument): { set: KnobeCell; name: string; item: string }[] {
  return knobeCells(doc)
    .filter((c) => c.kind === 'scenarios')
    .flatMap((c) => c.items.map((i) => ({ set: c, name: wordText(c.name) ?? '', item: wordText(i.name) ?? '' })));
}

function findItem(doc: KnobeDocument, wanted: string): { setCell: KnobeCell; item: string } {
  const items = allItems(doc);
  const listed = items.map((i) => `${i.name}/${i.item}`).join(', ') || 'none';
  const slash = wanted.indexOf('/');
  const [setName, itemName] = slash >= 0 ? [wanted.slice(0, slash), wanted.slice(slash + 1)] : [undefined, wanted];
  const hits = items.filter((i) => i.item === itemName && (setName === undefined || i.name === setName));
  if (hits.length === 0) throw new StudyError('unknown-reference', `there is no item \`${itemName}\`${setName ? ` in a set \`${setName}\`` : ''}; items are ${listed}`, 'name an item as ITEM or SET/ITEM');
  if (hits.length > 1) throw new StudyError('unknown-reference', `\`${itemName}\` is an item of more than one set: ${hits.map((h) => `${h.name}/${h.item}`).join(', ')}`, 'name it as SET/ITEM');
  return { setCell: hits[0].set, item: itemName };
}

/** The pair that reads a set: named, else the pair of the first cell that rates or localizes it, else the only pair. */
export function pairFor(doc: KnobeDocument, set: string, named?: string): KnobeCell {
  const pairs = knobeCells(doc).filter((c) => c.kind === 'pair');
  const names = pairs.map((c) => wordText(c.name)).join(', ') || 'none';
  if (named !== undefined) {
    const c = cellByName(doc, named);
    if (!c || c.kind !== 'pair') throw new StudyError('unknown-reference', `there is no pair cell \`${named}\`; pairs are ${names}`, 'name one of the notebook\'s pair cells');
    return c;
  }
  const value = (c: KnobeCell, key: string) => c.entries.find((e) => e.name === key)?.value.trim();
  const reader = knobeCells(doc).find((c) => (c.kind === 'ratings' || c.kind === 'localize') && value(c, 'scenarios') === set && value(c, 'pair'));
  const byReader = reader && cellByName(doc, value(reader, 'pair')!);
  if (byReader?.kind === 'pair') return byReader;
  if (pairs.length === 1) return pairs[0];
  throw new StudyError('unknown-reference', `no cell says which pair reads \`${set}\`, and the notebook has ${pairs.length} pairs (${names})`, 'name the pair (--pair NAME), or add a ratings cell with `pair:` for the set');
}

/**
 * What was read of a folder, kept while its files are unchanged: a hover asks again at every
 * move of the mouse, and a large tokenizer.json takes a while to parse.
 */
const readFolders = new Map<string, { stamp: string; model: Omit<PromptModel, 'role' | 'source'> }>();

function stampOf(dir: string): string {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']
    .map((f) => join(dir, f))
    .map((f) => (existsSync(f) ? `${statSync(f).size}:${statSync(f).mtimeMs}` : '-'))
    .join('/');
}

/** A model's tokenizer, chat template and positions, read without its weights. */
function promptModel(spec: PairSpec, role: ModelRole, host: PromptHost): PromptModel {
  const { text, source } = spec[role];
  if (source.kind === 'demo') {
    // The demo pair's tokenizer and chat template are generated: nothing to read.
    const tokenizerConfig = demoTokenizerConfig();
    const demo = readFolders.get('demo:') ?? { stamp: '', model: { tokenizer: new ModelTokenizer(demoTokenizerJson(demoVocabulary().tokens), tokenizerConfig, 'demo pair'), chatSource: { tokenizerConfig }, maxPositions: DEMO_MAX_POSITIONS } };
    readFolders.set('demo:', demo);
    return { role, source: text, ...demo.model };
  }
  const dir = folderOf(source, text, host);
  const stamp = stampOf(dir);
  const known = readFolders.get(dir);
  if (known?.stamp === stamp) return { role, source: text, ...known.model };
  const model = readFolder(spec, role, dir);
  readFolders.set(dir, { stamp, model });
  return { role, source: text, ...model };
}

function readFolder(spec: PairSpec, role: ModelRole, dir: string): Omit<PromptModel, 'role' | 'source'> {
  const text = spec[role].text;
  try {
    const tokenizer = loadTokenizer(dir);
    const jinja = join(dir, 'chat_template.jinja');
    const config = parseConfig(readFileSync(join(dir, 'config.json'), 'utf8'), join(dir, 'config.json'));
    return {
      tokenizer,
      chatSource: { dir, tokenizerConfig: tokenizer.tokenizerConfig, chatTemplate: existsSync(jinja) ? readFileSync(jinja, 'utf8') : undefined },
      maxPositions: config.maxPositions,
    };
  } catch (e) {
    if (e instanceof StudyError) throw e;
    throw new StudyError('model-load', `the ${role} model \`${text}\` (${dir}): ${(e as Error).message}`, 'the folder needs config.json and tokenizer.json', spec.name, { cause: e });
  }
}

function folderOf(source: Exclude<ModelSource, { kind: 'demo' }>, text: string, host: PromptHost): string {
  if (source.kind === 'local') return localFolder(source.path, host.baseDir);
  const got = cachedSnapshot(host.cacheDir, parseHubSource(text));
  if (!got) throw new StudyError('model-load', `\`${text}\` has not been downloaded yet, and showing a prompt downloads nothing`, 'run a cell that uses the pair once, then look again');
  return got.dir;
}

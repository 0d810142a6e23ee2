// A Hugging Face tokenizer.json as a Tokenizer (GPT-2's byte-level BPE), through the
// @huggingface/tokenizers library: the same pure-JS code in the browser and in Node, so both give
// the same ids. Checked against the model it serves: every id it can emit must have a row.

import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { MAX_BPE_VOCAB } from '../config/architecture';
import { DataError } from './dataset';
import { tokenArray, type Tokenizer, type Tokens } from './tokenizer';

type Json = Record<string, unknown>;

/** The highest id a tokenizer.json can emit: its model's vocabulary and its added tokens. */
function highestId(json: Json): number {
  let top = -1;
  const model = json.model as Json | undefined;
  const vocab = model?.vocab;
  if (vocab && typeof vocab === 'object' && !Array.isArray(vocab)) for (const id of Object.values(vocab)) if (typeof id === 'number' && id > top) top = id;
  if (Array.isArray(json.added_tokens)) for (const t of json.added_tokens as Json[]) if (typeof t?.id === 'number' && t.id > top) top = t.id;
  return top;
}

/**
 * The BPE tokenizer of `json` (a parsed tokenizer.json) for a model of `vocab` rows. Refuses, naming
 * `what` and the field, anything but a BPE model, and ids at or past `vocab`.
 */
export function bpeTokenizer(json: unknown, vocab: number, what = 'tokenizer.json'): Tokenizer {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new DataError(what, 'not a JSON object; a Hugging Face tokenizer.json');
  const j = json as Json;
  const type = (j.model as Json | undefined)?.type;
  if (type !== 'BPE') throw new DataError(what, `model.type is ${JSON.stringify(type) ?? 'missing'}; only "BPE" (GPT-2's byte-level BPE) is allowed`);
  const top = highestId(j);
  if (top < 0) throw new DataError(what, 'model.vocab is empty; a BPE tokenizer.json maps token strings to ids');
  if (top >= vocab || vocab > MAX_BPE_VOCAB) throw new DataError(what, `it emits ids up to ${top}; the model's vocab_size ${vocab} has rows 0 to ${vocab - 1}`);
  let hf: HfTokenizer;
  try {
    // GPT-2's tokenizer_config.json: no clean-up of spaces before punctuation, so decode(encode(t)) is t.
    hf = new HfTokenizer(j, { clean_up_tokenization_spaces: false });
  } catch (e) {
    throw new DataError(what, `the tokenizer library could not load it (${(e as Error).message})`);
  }
  return {
    kind: 'bpe',
    vocab,
    encode: (text: string): Tokens => tokenArray(vocab, hf.encode(text, { add_special_tokens: false }).ids),
    decode: (tokens: ArrayLike<number>): string => hf.decode(Array.from(tokens), { skip_special_tokens: false }),
  };
}

// Training text for the page: a bundled corpus at /corpora/<id>.txt (emitted by the build; the training
// worker fetches it), or a .txt file the person drops (its bytes are kept in memory once loaded).

import type { CorpusId } from '../../data/corpora';
import { splitDataset } from '../../data/dataset';
import type { JobText } from '../../worker/api';

export function corpusUrl(id: CorpusId): string {
  return `${import.meta.env.BASE_URL}corpora/${id}.txt`;
}

/** A bundled corpus as a job's text: its absolute URL, which the training worker fetches itself. */
export function corpusText(id: CorpusId): JobText {
  return { source: id, url: new URL(corpusUrl(id), document.baseURI).href };
}

export interface Uploaded {
  name: string;
  bytes: Uint8Array;
}

/** Reads a dropped file as UTF-8 text; refuses empty or non-UTF-8 files with a message. */
export async function readUpload(file: File): Promise<Uploaded> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!bytes.length) throw new Error(`${file.name}: the file is empty`);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${file.name}: not UTF-8 text`);
  }
  return { name: file.name, bytes };
}

export function uploadSource(u: Uploaded): string {
  return `upload: ${u.name}`;
}

/** Bytes in the training and validation splits for a text and a config. */
export function splitSizes(bytes: number, valSplit: number, trainBytes: number | null): { train: number; val: number } {
  const cut = Math.floor(bytes * (1 - valSplit));
  return { train: trainBytes === null ? cut : Math.min(cut, trainBytes), val: bytes - cut };
}

export { splitDataset };

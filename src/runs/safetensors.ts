// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__: {string: string}}, then the
// raw little-endian data. We write float32 only and read float32 only. Every file read here comes
// from outside (a download, an upload, a user's path), so decoding checks everything the spec
// promises before any value is used, and every refusal starts with the file's name and names the
// tensor or key at fault.

import type { NamedTensor } from '../model/weights';

/**
 * The largest header we read: 100 MiB, the limit Hugging Face's own reader sets. A real header is a
 * few kilobytes per thousand tensors; a length beyond this is a corrupt or hostile file, and refusing
 * it up front keeps us from decoding gigabytes of "JSON".
 */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`encodeSafetensors: ${t.name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n * 4] };
    offset += n * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headBytes, 8);
  let at = 8 + headBytes.length;
  for (const t of tensors) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** One tensor entry of the header once its fields check out: its place in the data region. */
interface Entry {
  name: string;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

const show = (v: unknown): string => (v === undefined ? '(missing)' : (JSON.stringify(v) ?? String(v)).slice(0, 80));
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSize = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The 8-byte length, the header's JSON object, and the data region after it. */
function readHeader(bytes: Uint8Array, what: string): { header: Record<string, unknown>; data: Uint8Array } {
  const fail = (m: string) => new SafetensorsError(what, m);
  if (bytes.length < 8) throw fail(`${bytes.length} bytes is too short to be a safetensors file (it starts with an 8-byte header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A BigInt, so a corrupt length beyond 2^53 is compared and reported exactly.
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) throw fail(`header length ${n64} is over the ${MAX_HEADER_BYTES}-byte (100 MiB) limit`);
  const n = Number(n64);
  if (n > bytes.length - 8) throw fail(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw fail('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw fail(`the header is JSON but ${kindOf(header)}, not an object of tensors`);
  return { header, data: bytes.subarray(8 + n) };
}

function readMetadata(m: unknown, what: string): Record<string, string> {
  if (m === undefined) return {};
  if (!isObject(m)) throw new SafetensorsError(what, `__metadata__ is ${kindOf(m)}; it must be an object of string values`);
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw new SafetensorsError(what, `__metadata__.${k} is ${show(v)}; __metadata__ holds string values only`);
  }
  return m as Record<string, string>;
}

/** Checks one header entry's dtype, shape and data_offsets against each other and the data length. */
function readEntry(name: string, e: unknown, dataLength: number, what: string): Entry {
  const fail = (m: string) => new SafetensorsError(what, `tensor ${name} ${m}`);
  if (!isObject(e)) throw fail(`is ${kindOf(e)}, not an object {dtype, shape, data_offsets}`);
  if (e.dtype !== 'F32') throw fail(`has dtype ${e.dtype === undefined ? '(missing)' : String(e.dtype)}; only F32 is supported`);
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every(isSize)) throw fail(`has shape ${show(shape)}; a shape is a list of non-negative whole numbers`);
  // Number arithmetic, checked to stay exact: a shape like [2^40, 2^40] must not wrap into a small count.
  let count = shape.includes(0) ? 0 : 1;
  for (const d of shape) {
    if (count === 0) break;
    count *= d;
    if (!Number.isSafeInteger(count * 4)) throw fail(`has shape [${shape.join(', ')}], too many elements to address`);
  }
  const off = e.data_offsets;
  const dims = `shape [${shape.join(', ')}]`;
  if (!Array.isArray(off) || off.length !== 2 || !off.every(isSize)) throw fail(`has data_offsets ${show(off)}; expected a pair [begin, end] of non-negative whole numbers`);
  const [begin, end] = off as number[];
  if (end < begin) throw fail(`has data_offsets [${begin}, ${end}]: end comes before begin`);
  if (end - begin !== count * 4) throw fail(`has data_offsets [${begin}, ${end}], ${end - begin} bytes; its ${dims} needs ${count * 4} (4 bytes per F32)`);
  if (end > dataLength) throw fail(`has data_offsets [${begin}, ${end}] that run past the end of the data (${dataLength} bytes; the file may be truncated)`);
  return { name, shape: shape as number[], count, begin, end };
}

/**
 * The spec asks that the tensors tile the data region exactly: no two overlap, no byte belongs to
 * none (a hole or trailing bytes means the header and the data disagree, e.g. a bad splice).
 */
function checkTiling(entries: readonly Entry[], dataLength: number, what: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < at) throw new SafetensorsError(what, `tensor ${e.name} has data_offsets [${e.begin}, ${e.end}] that overlap tensor ${prev!.name} [${prev!.begin}, ${prev!.end}]`);
    if (e.begin > at) throw new SafetensorsError(what, `data bytes ${at} to ${e.begin} (before tensor ${e.name}) belong to no tensor; a safetensors file has no holes in its data`);
    at = e.end;
    prev = e;
  }
  if (at < dataLength) {
    throw new SafetensorsError(what, `${dataLength - at} trailing byte(s) after the last tensor${prev ? ` (${prev.name})` : ''}; a safetensors file's data holds its tensors and nothing else`);
  }
}

/** Flat index of the first NaN or ±Inf, or -1. */
function firstNonFinite(a: Float32Array): number {
  // x - x is 0 for every finite x and NaN for NaN and ±Inf.
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return i;
  return -1;
}

/** A flat index as one index per axis (row-major), for the message. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return idx;
}

/**
 * Decodes a safetensors file of float32 tensors (copies, so the caller may drop `bytes`). Refuses,
 * naming `what` and the tensor: a bad header length, a header that is not a UTF-8 JSON object,
 * metadata that is not strings, any dtype but F32, bad shapes or offsets, data that the tensors do
 * not tile exactly, and any NaN or ±Inf value (a weight that is not finite poisons every output).
 */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors file'): SafetensorsFile {
  const { header, data } = readHeader(bytes, what);
  const metadata = readMetadata(header.__metadata__, what);
  const entries = Object.entries(header).filter(([name]) => name !== '__metadata__').map(([name, e]) => readEntry(name, e, data.length, what));
  checkTiling(entries, data.length, what);
  return {
    metadata: { ...metadata },
    tensors: entries.map((e) => {
      const copy = data.slice(e.begin, e.end);
      const values = new Float32Array(copy.buffer, copy.byteOffset, e.count);
      const bad = firstNonFinite(values);
      if (bad >= 0) {
        throw new SafetensorsError(what, `tensor ${e.name} holds ${values[bad]} at element ${bad} ([${unravel(bad, e.shape).join(', ')}] of [${e.shape.join(', ')}]); weights must be finite`);
      }
      return { name: e.name, shape: e.shape, data: values };
    }),
  };
}

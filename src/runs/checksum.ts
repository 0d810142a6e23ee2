// A 64-bit checksum of bytes, the same in every JavaScript engine (integer arithmetic only), for
// checkpoints (is this file what was written?) and for identity (is this the data, base model and
// config the run started with?). Not cryptographic: it finds damage and mix-ups, not forgery.
// crypto.subtle would do, but it exists only in secure contexts, and a class served over plain
// http on a LAN is not one; a checkpoint written there must verify everywhere.
//
// Two independent lanes over little-endian 32-bit words: h ← rotl(imul(h ^ w, M), R) + C. Each step
// is a bijection of h for a fixed word and changes h whenever w changes, so any change confined to
// one word is always found; the length and a final avalanche (murmur3's fmix32) end each lane.

const M1 = 0x9e3779b1;
const M2 = 0x85ebca77;
const C1 = 0x165667b1;
const C2 = 0x27d4eb2f;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex = (x: number) => x.toString(16).padStart(8, '0');

/** 16 hex digits. */
export function checksum(bytes: Uint8Array): string {
  const words = bytes.byteLength >>> 2;
  const aligned = bytes.byteOffset % 4 === 0;
  const w32 = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, words) : null;
  const view = aligned ? null : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Uint32Array reads in the platform's byte order; every engine we run on is little-endian.
  let a = 0x2545f491;
  let b = 0x9b8d3a17;
  for (let i = 0; i < words; i++) {
    const w = w32 ? w32[i] : view!.getUint32(i * 4, true);
    a = Math.imul(a ^ w, M1);
    a = ((a << 13) | (a >>> 19)) + C1;
    b = Math.imul(b ^ w, M2);
    b = ((b << 17) | (b >>> 15)) + C2;
  }
  let tail = 0;
  for (let i = words * 4; i < bytes.byteLength; i++) tail |= bytes[i] << (8 * (i - words * 4));
  a = Math.imul(a ^ tail, M1) ^ bytes.byteLength;
  b = Math.imul(b ^ tail, M2) ^ Math.floor(bytes.byteLength / 4294967296);
  return hex(fmix32(a)) + hex(fmix32(b ^ a));
}

/** Checksum of a string's UTF-8 bytes. */
export function checksumText(text: string): string {
  return checksum(new TextEncoder().encode(text));
}

/** JSON with object keys sorted at every level: the same value gives the same text (and checksum). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

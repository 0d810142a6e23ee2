// The browser's storage for runs: asking that it be kept (persistent storage), how much is used and
// free, and what to say when it is full: how much was needed and which runs take the most room.

import { formatBytes } from '../format';
import type { RunStore } from './store';

export interface StorageUse {
  used: number;
  quota: number;
  /** The browser promised not to clear it under pressure. */
  persistent: boolean;
}

/** A write refused because the origin's storage is full (IndexedDB raises QuotaExceededError). */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || (name === 'AbortError' && /quota/i.test(String((e as Error).message)));
}

/** Asks once that the runs be kept (browsers may clear best-effort storage when space runs low). */
export async function askPersistence(): Promise<boolean> {
  try {
    return (await navigator.storage?.persisted?.()) || ((await navigator.storage?.persist?.()) ?? false);
  } catch {
    return false;
  }
}

export async function storageUse(): Promise<StorageUse | null> {
  try {
    const e = await navigator.storage?.estimate?.();
    if (!e) return null;
    return { used: e.usage ?? 0, quota: e.quota ?? 0, persistent: (await navigator.storage.persisted?.()) ?? false };
  } catch {
    return null;
  }
}

/** The message for a full disk: what was needed, what is used, and the runs that take the most room. */
export async function quotaMessage(store: RunStore, needBytes: number): Promise<string> {
  const use = await storageUse();
  const big = (await store.sizes()).slice(0, 3);
  const names = await Promise.all(big.map(async (b) => `"${(await store.get(b.id))?.name ?? b.id}" (${formatBytes(b.bytes)})`));
  return `Browser storage is full: saving this run needs ${formatBytes(needBytes)}` +
    `${use ? `, and ${formatBytes(use.used)} of ${formatBytes(use.quota)} is used` : ''}. ` +
    `Delete runs you no longer need${names.length ? ` (the largest: ${names.join(', ')})` : ''}, or export them first. ` +
    'Training goes on; the next checkpoint tries again, and other runs are untouched.';
}

// Recorded runs in IndexedDB (idb): every run as it goes, its weights when it finishes, and base
// models pretrained in this browser. Imports are validated first and written in one transaction, so
// a bad file changes nothing.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RunRecord } from '../../runs/schema';
import type { WeightFile } from '../../worker/api';

interface Schema extends DBSchema {
  runs: { key: string; value: RunRecord };
  weights: { key: string; value: { id: string; files: WeightFile[] } };
  bases: { key: string; value: { key: string; runId: string; bytes: Uint8Array; created: string } };
}

export const DB_NAME = 'stepsize';

export class RunStore {
  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  static async open(name = DB_NAME): Promise<RunStore> {
    const db = await openDB<Schema>(name, 1, {
      upgrade(d) {
        d.createObjectStore('runs', { keyPath: 'id' });
        d.createObjectStore('weights', { keyPath: 'id' });
        d.createObjectStore('bases', { keyPath: 'key' });
      },
    });
    return new RunStore(db);
  }

  async list(): Promise<RunRecord[]> {
    const runs = await this.db.getAll('runs');
    return runs.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  get(id: string): Promise<RunRecord | undefined> {
    return this.db.get('runs', id);
  }

  async put(run: RunRecord): Promise<void> {
    await this.db.put('runs', structuredClone(run));
  }

  async putWeights(id: string, files: WeightFile[]): Promise<void> {
    await this.db.put('weights', { id, files });
  }

  async weights(id: string): Promise<WeightFile[] | undefined> {
    return (await this.db.get('weights', id))?.files;
  }

  /** Deletes a run and its weights; returns them for undo. */
  async remove(id: string): Promise<{ run: RunRecord; files: WeightFile[] | undefined } | null> {
    const tx = this.db.transaction(['runs', 'weights'], 'readwrite');
    const run = await tx.objectStore('runs').get(id);
    const files = (await tx.objectStore('weights').get(id))?.files;
    if (run) await tx.objectStore('runs').delete(id);
    await tx.objectStore('weights').delete(id);
    await tx.done;
    return run ? { run, files } : null;
  }

  async restore(saved: { run: RunRecord; files: WeightFile[] | undefined }): Promise<void> {
    const tx = this.db.transaction(['runs', 'weights'], 'readwrite');
    await tx.objectStore('runs').put(saved.run);
    if (saved.files) await tx.objectStore('weights').put({ id: saved.run.id, files: saved.files });
    await tx.done;
  }

  /** Stores already-validated runs in one transaction (all or nothing). */
  async importRuns(runs: readonly RunRecord[]): Promise<void> {
    const tx = this.db.transaction('runs', 'readwrite');
    await Promise.all(runs.map((r) => tx.store.put(structuredClone(r))));
    await tx.done;
  }

  /** Runs left 'running' by a closed tab: marked interrupted, their curves kept. */
  async markInterrupted(): Promise<number> {
    const tx = this.db.transaction('runs', 'readwrite');
    let n = 0;
    for (const run of await tx.store.getAll()) {
      if (run.outcome.status !== 'running') continue;
      run.outcome = { ...run.outcome, status: 'interrupted', reason: 'the page was closed or reloaded while training' };
      await tx.store.put(run);
      n++;
    }
    await tx.done;
    return n;
  }

  async base(key: string): Promise<Uint8Array | undefined> {
    return (await this.db.get('bases', key))?.bytes;
  }

  async putBase(key: string, runId: string, bytes: Uint8Array): Promise<void> {
    await this.db.put('bases', { key, runId, bytes, created: new Date().toISOString() });
  }

  close(): void {
    this.db.close();
  }
}

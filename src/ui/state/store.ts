// Recorded runs in IndexedDB (idb): every run as it goes, its latest checkpoint (with the record, in
// one transaction), its weights when it finishes, an uploaded training text (so the run can be
// resumed after a reload), and base models pretrained in this browser. Every write is one
// transaction touching one run, so a failed write (a full disk) changes nothing and never another
// run's record. Imports are validated first and never overwrite: a run whose id is taken comes in
// as a copy.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ModelShape } from '../../config/architecture';
import type { CheckpointFiles } from '../../runs/checkpoint';
import { isEnded, type RunRecord } from '../../runs/schema';
import type { WeightFile } from '../../worker/api';

export interface CheckpointInfo {
  /** The run's id. */
  id: string;
  step: number;
  bytes: number;
  created: string;
}

export interface StoredCheckpoint extends CheckpointInfo, CheckpointFiles {}

interface Schema extends DBSchema {
  runs: { key: string; value: RunRecord };
  weights: { key: string; value: { id: string; files: WeightFile[] } };
  bases: { key: string; value: { key: string; runId: string; bytes: Uint8Array; created: string } };
  /** What a base imported from outside is (a GPT-2 checkpoint), without its bytes: the list reads these. */
  base_info: { key: string; value: ImportedBase };
  checkpoints: { key: string; value: StoredCheckpoint };
  /** The checkpoints' step and size without their tensors (the run list reads these). */
  checkpoint_info: { key: string; value: CheckpointInfo };
  texts: { key: string; value: { id: string; source: string; bytes: Uint8Array } };
}

export const DB_NAME = 'stepsize';
const DB_VERSION = 3;

/** A base imported into this browser (a GPT-2 checkpoint), as the base list shows it. */
export interface ImportedBase {
  key: string;
  /** Where it came from: the files' folder or the address fetched. */
  source: string;
  shape: ModelShape;
  bytes: number;
  created: string;
}

/** Everything kept for one run, as taken out by remove() and put back by restore(). */
export interface SavedRun {
  run: RunRecord;
  files: WeightFile[] | undefined;
  checkpoint: StoredCheckpoint | undefined;
  text: { id: string; source: string; bytes: Uint8Array } | undefined;
}

export class RunStore {
  private simulatedQuotaErrors = 0;

  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  /** Fault injection: the next `n` checkpoint writes fail as on a full disk (QuotaExceededError). */
  failNextCheckpoints(n: number): void {
    this.simulatedQuotaErrors = n;
  }

  static async open(name = DB_NAME): Promise<RunStore> {
    const db = await openDB<Schema>(name, DB_VERSION, {
      upgrade(d, oldVersion) {
        if (oldVersion < 1) {
          d.createObjectStore('runs', { keyPath: 'id' });
          d.createObjectStore('weights', { keyPath: 'id' });
          d.createObjectStore('bases', { keyPath: 'key' });
        }
        if (oldVersion < 2) {
          d.createObjectStore('checkpoints', { keyPath: 'id' });
          d.createObjectStore('checkpoint_info', { keyPath: 'id' });
          d.createObjectStore('texts', { keyPath: 'id' });
        }
        if (oldVersion < 3) d.createObjectStore('base_info', { keyPath: 'key' });
      },
    });
    return new RunStore(db);
  }

  private quota(): void {
    if (this.simulatedQuotaErrors > 0) {
      this.simulatedQuotaErrors--;
      throw new DOMException('simulated: the quota for this origin is used up (fault injection)', 'QuotaExceededError');
    }
  }

  async list(): Promise<RunRecord[]> {
    const runs = await this.db.getAll('runs');
    return runs.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  get(id: string): Promise<RunRecord | undefined> {
    return this.db.get('runs', id);
  }

  /**
   * Saves a run's record. A run that has ended is never relabelled by a late write of its live
   * record (a save queued before it finished); returns false when the write was skipped.
   */
  async put(run: RunRecord): Promise<boolean> {
    const tx = this.db.transaction('runs', 'readwrite');
    const old = await tx.store.get(run.id);
    const skip = old !== undefined && isEnded(old.outcome.status) && !isEnded(run.outcome.status);
    if (!skip) await tx.store.put(structuredClone(run));
    await tx.done;
    return !skip;
  }

  /**
   * The run's record and its latest checkpoint, in one transaction (the previous one stays if it
   * fails). `run` is stored as it is now (IndexedDB copies it): the caller passes a snapshot taken
   * when the checkpoint was.
   */
  async putCheckpoint(run: RunRecord, step: number, files: CheckpointFiles): Promise<void> {
    this.quota();
    const info: CheckpointInfo = { id: run.id, step, bytes: files.tensors.byteLength + files.state.length, created: new Date().toISOString() };
    const tx = this.db.transaction(['runs', 'checkpoints', 'checkpoint_info'], 'readwrite');
    await Promise.all([
      tx.objectStore('runs').put(run),
      tx.objectStore('checkpoints').put({ ...info, ...files }),
      tx.objectStore('checkpoint_info').put(info),
    ]);
    await tx.done;
  }

  checkpoint(id: string): Promise<StoredCheckpoint | undefined> {
    return this.db.get('checkpoints', id);
  }

  async checkpointInfos(): Promise<Map<string, CheckpointInfo>> {
    return new Map((await this.db.getAll('checkpoint_info')).map((c) => [c.id, c]));
  }

  async deleteCheckpoint(id: string): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'checkpoint_info'], 'readwrite');
    await Promise.all([tx.objectStore('checkpoints').delete(id), tx.objectStore('checkpoint_info').delete(id)]);
    await tx.done;
  }

  /** Removes the oldest checkpoint of a run other than `keep`; returns that run's id, or null if none is left. */
  async pruneOldestCheckpoint(keep: string): Promise<string | null> {
    const old = [...(await this.checkpointInfos()).values()].filter((c) => c.id !== keep).sort((a, b) => a.created.localeCompare(b.created))[0];
    if (!old) return null;
    await this.deleteCheckpoint(old.id);
    return old.id;
  }

  async putWeights(id: string, files: WeightFile[]): Promise<void> {
    await this.db.put('weights', { id, files });
  }

  async weights(id: string): Promise<WeightFile[] | undefined> {
    return (await this.db.get('weights', id))?.files;
  }

  /** Ids of the runs whose weights are kept. */
  async weightIds(): Promise<Set<string>> {
    return new Set(await this.db.getAllKeys('weights'));
  }

  /** An uploaded training text, kept with its run so a resume after a reload finds it. */
  async putText(id: string, source: string, bytes: Uint8Array): Promise<void> {
    await this.db.put('texts', { id, source, bytes });
  }

  async text(id: string): Promise<{ source: string; bytes: Uint8Array } | undefined> {
    return this.db.get('texts', id);
  }

  /** Bytes kept per run (weights, checkpoint, text), largest first: what to delete when storage is full. */
  async sizes(): Promise<{ id: string; bytes: number }[]> {
    const by = new Map<string, number>();
    const add = (id: string, n: number) => by.set(id, (by.get(id) ?? 0) + n);
    for (const w of await this.db.getAll('weights')) for (const f of w.files) add(w.id, f.bytes.byteLength);
    for (const c of await this.db.getAll('checkpoint_info')) add(c.id, c.bytes);
    for (const t of await this.db.getAll('texts')) add(t.id, t.bytes.byteLength);
    return [...by].map(([id, bytes]) => ({ id, bytes })).sort((a, b) => b.bytes - a.bytes);
  }

  /** Deletes a run and everything kept with it; returns them for undo. */
  async remove(id: string): Promise<SavedRun | null> {
    const tx = this.db.transaction(['runs', 'weights', 'checkpoints', 'checkpoint_info', 'texts'], 'readwrite');
    const run = await tx.objectStore('runs').get(id);
    const files = (await tx.objectStore('weights').get(id))?.files;
    const checkpoint = await tx.objectStore('checkpoints').get(id);
    const text = await tx.objectStore('texts').get(id);
    for (const s of ['runs', 'weights', 'checkpoints', 'checkpoint_info', 'texts'] as const) await tx.objectStore(s).delete(id);
    await tx.done;
    return run ? { run, files, checkpoint, text } : null;
  }

  async restore(saved: SavedRun): Promise<void> {
    const tx = this.db.transaction(['runs', 'weights', 'checkpoints', 'checkpoint_info', 'texts'], 'readwrite');
    await tx.objectStore('runs').put(saved.run);
    if (saved.files) await tx.objectStore('weights').put({ id: saved.run.id, files: saved.files });
    if (saved.checkpoint) {
      const { state: _s, tensors: _t, ...info } = saved.checkpoint;
      await tx.objectStore('checkpoints').put(saved.checkpoint);
      await tx.objectStore('checkpoint_info').put(info);
    }
    if (saved.text) await tx.objectStore('texts').put(saved.text);
    await tx.done;
  }

  /**
   * Stores already-validated runs in one transaction (all or nothing). A run whose id is already
   * in the list (or earlier in this import) gets `newId()` and " (copy)" after its name; returns
   * the stored runs and how many were copies.
   */
  async importRuns(runs: readonly RunRecord[], newId: () => string): Promise<{ stored: RunRecord[]; copies: number }> {
    const tx = this.db.transaction('runs', 'readwrite');
    const taken = new Set(await tx.store.getAllKeys());
    const stored: RunRecord[] = [];
    let copies = 0;
    for (const r of runs) {
      const run = structuredClone(r);
      if (taken.has(run.id)) {
        run.id = newId();
        run.name = `${run.name} (copy)`;
        copies++;
      }
      taken.add(run.id);
      stored.push(run);
    }
    await Promise.all(stored.map((r) => tx.store.put(r)));
    await tx.done;
    return { stored, copies };
  }

  /**
   * Runs left 'running' by a closed tab or a reload: marked interrupted at their last recorded step,
   * curves kept; returns how many. `isLive` says which are still training (in another tab); those
   * are left alone.
   */
  async markInterrupted(isLive: (id: string) => boolean): Promise<number> {
    const tx = this.db.transaction('runs', 'readwrite');
    let n = 0;
    for (const run of await tx.store.getAll()) {
      if (run.outcome.status !== 'running' || isLive(run.id)) continue;
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

  /** Keeps an imported base and what it is, in one transaction. */
  async putImportedBase(info: Omit<ImportedBase, 'created' | 'bytes'>, bytes: Uint8Array): Promise<ImportedBase> {
    this.quota();
    const created = new Date().toISOString();
    const full: ImportedBase = { ...info, bytes: bytes.length, created };
    const tx = this.db.transaction(['bases', 'base_info'], 'readwrite');
    await Promise.all([tx.objectStore('bases').put({ key: info.key, runId: '', bytes, created }), tx.objectStore('base_info').put(full), tx.done]);
    return full;
  }

  async importedBases(): Promise<ImportedBase[]> {
    return this.db.getAll('base_info');
  }

  close(): void {
    this.db.close();
  }
}

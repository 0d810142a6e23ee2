// Fault injection, to show and test that nothing is lost: a lost GPU device, a crashed or hung
// training worker, a full disk. Reached from the console (and the browser tests) as
// `stepsize.faults` once the page has started; nothing in the page calls it.

import { HEARTBEAT_EVERY_MS, HEARTBEAT_TIMEOUT_MS, type JobController } from './job';
import type { RunStore } from './store';

export class Faults {
  constructor(private readonly job: JobController, private readonly store: RunStore) {}

  /** Destroys the worker's GPU device, as a driver reset or a long background tab would lose it. */
  loseDevice(): Promise<void> {
    return this.job.fault('lose-device');
  }

  /** An uncaught error in the training worker. */
  crashWorker(): Promise<void> {
    return this.job.fault('crash');
  }

  /** The worker stops answering; the heartbeat gives up after `timeoutMs` (for this hang only). */
  hangWorker(timeoutMs = 3000): Promise<void> {
    this.job.setHeartbeatTimeout(timeoutMs);
    setTimeout(() => this.job.setHeartbeatTimeout(HEARTBEAT_TIMEOUT_MS), timeoutMs + 3 * HEARTBEAT_EVERY_MS);
    return this.job.fault('hang');
  }

  /** The next `n` checkpoint writes fail as on a full disk. */
  fillDisk(n = 1): void {
    this.store.failNextCheckpoints(n);
  }
}

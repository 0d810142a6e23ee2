// The typed API between the page and the training worker (Comlink). The worker file only exposes a
// TrainingService; the page wraps it. Events arrive in batches (about every 150 ms), never one
// message per step; a checkpoint is sent at once. Aborting = terminating the worker.

import type { AdapterSummary } from '../gpu/device';
import type { SelfTestResult } from '../kernels/selftest';
import type { CheckpointFiles } from '../runs/checkpoint';
import type { Gpt2Files } from '../runs/hf-gpt2';
import type { ModelShape } from '../config/architecture';
import type { RunRecord } from '../runs/schema';
import type { TrainConfig } from '../config/config';
import type { StepRow } from '../train/record';
import type { TrainerStatus } from '../train/trainer';

export interface GpuInfo {
  adapter: AdapterSummary;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface JobSpec {
  /** Run id (the page's IndexedDB key). */
  id: string;
  config: TrainConfig;
  /** Training text and where it came from ("sotu", "moby-dick", "upload: notes.txt"). */
  data: JobText;
  /** A model.safetensors to start from (fine-tuning), or null (from scratch). */
  base: Uint8Array | null;
  userAgent?: string;
  /** Continue run `id` from this checkpoint (its config, text and base must be the run's). */
  resume?: CheckpointFiles;
}

/**
 * The text a job trains on: its bytes (a dropped file, a resumed run's kept text), or the absolute URL
 * of a bundled corpus, which the worker fetches itself so that its 10 MB never pass through the page's
 * main thread (fetching and cloning it there was a 100–300 ms task at the start of every run).
 */
export type JobText = { source: string; bytes: Uint8Array } | { source: string; url: string };

export type TrainEvent =
  | { kind: 'started'; record: RunRecord }
  | { kind: 'steps'; rows: StepRow[] }
  | { kind: 'eval'; step: number; tokens: number; valLoss: number; valBpb: number }
  | { kind: 'sample'; step: number; prompt: string; text: string }
  | { kind: 'status'; status: TrainerStatus }
  | { kind: 'checkpoint'; step: number; files: CheckpointFiles }
  | { kind: 'finished'; record: RunRecord };

/** An event of one of the runs a packed job trains (`run`: its index among the jobs given). */
export type PackedEvent = TrainEvent & { run: number };

export interface WeightFile {
  name: string;
  bytes: Uint8Array;
}

export interface TrainingApi {
  gpuInfo(): Promise<GpuInfo>;
  /** Runs the matmul kernel on a small awkward shape against the float64 reference. */
  selfTest(): Promise<SelfTestResult>;
  /** Runs a job to its end; events stream to `onEvents` in batches. Resolves with the final record. */
  start(job: JobSpec, onEvents: (events: TrainEvent[]) => void): Promise<RunRecord>;
  /**
   * Trains jobs side by side in one step program (src/train/pack.ts: they must share model, batch,
   * text and split); each run's events carry its index. Resolves with the final records, in order.
   */
  startPacked(jobs: JobSpec[], onEvents: (events: PackedEvent[]) => void): Promise<RunRecord[]>;
  /** The controls act on run `run` of a packed job, or on every run when it is left out. */
  pause(run?: number): Promise<void>;
  resume(run?: number): Promise<void>;
  /** While paused: train `n` more steps, then pause again. */
  step(n?: number, run?: number): Promise<void>;
  stop(run?: number): Promise<void>;
  /** Run `run`'s weights (of the last job): model.safetensors, or adapter_model.safetensors + adapter_config.json. */
  weights(run?: number): Promise<WeightFile[]>;
  /**
   * A GPT-2 checkpoint's three files (config.json, model.safetensors, tokenizer.json of `dir`),
   * checked and turned into one model file the page keeps as a base; refusals name the file and field.
   */
  importGpt2(files: Gpt2Files, dir: string): Promise<{ bytes: Uint8Array; shape: ModelShape }>;
  /** Answers at once: the page's heartbeat (a worker that does not answer is taken for dead). */
  ping(): Promise<number>;
  /** Fault injection for tests and demonstrations (see src/ui/state/faults.ts). */
  fault(kind: WorkerFault): Promise<void>;
}

/**
 * lose-device: destroys the GPU device, as a driver reset would lose it. crash: an uncaught error
 * in the worker. hang: the worker stops answering for 60 s (a busy loop).
 */
export type WorkerFault = 'lose-device' | 'crash' | 'hang';

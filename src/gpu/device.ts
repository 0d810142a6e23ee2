// The one module that owns the GPU: adapter and device requests, limit checks, device loss and
// uncaptured errors. The GPU object comes from outside (navigator.gpu in a browser or worker, Dawn's
// `webgpu` package in Node), so nothing here touches the DOM or Node built-ins.

import { GpuDeviceLostError, GpuUnavailableError } from './errors';

/** Limits below which no kernel of ours can run; everything else is requested at the adapter's max. */
export const REQUIRED_LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupSizeX: 256,
} as const;

/** Limits we raise to the adapter's values so large models and batches fit. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
  'maxUniformBufferBindingSize',
] as const;

export interface AdapterSummary {
  /** Human-readable adapter name, e.g. "NVIDIA H100" or "SwiftShader (google)". */
  name: string;
  vendor: string;
  architecture: string;
  description: string;
  /** True when WebGPU runs on the CPU (SwiftShader or another fallback adapter). */
  isSoftware: boolean;
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  /** Set once the device is lost; every runtime entry point checks it via assertAlive. */
  lost: GpuDeviceLostError | null;
  /** Resolves when the device is lost, for any reason (destroy() included): see untilLost. */
  readonly whenLost: Promise<GpuDeviceLostError>;
  /** Uncaptured errors seen so far (validation errors outside our error scopes). */
  readonly uncaptured: string[];
  /** Per-kernel pipeline cache, filled by getPipeline (src/gpu/kernel.ts). */
  readonly pipelines: Map<string, GPUComputePipeline>;
  readonly layouts: Map<string, GPUBindGroupLayout>;
}

export function summarizeAdapter(info: GPUAdapterInfo | undefined, isFallback = false): AdapterSummary {
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const description = info?.description ?? '';
  const software = isFallback || /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${vendor} ${architecture} ${description}`);
  const name =
    description ||
    [vendor, architecture].filter(Boolean).join(' ') ||
    (software ? 'software adapter' : 'unknown adapter');
  return { name, vendor, architecture, description, isSoftware: software };
}

export interface OpenOptions {
  powerPreference?: GPUPowerPreference;
  /** Called for every error the device reports outside our own error scopes. */
  onUncapturedError?: (message: string) => void;
  /** Called once when the device is lost for any reason other than destroy(). */
  onLost?: (err: GpuDeviceLostError) => void;
  /**
   * Ask for REQUIRED_LIMITS only (WebGPU's defaults elsewhere) instead of the adapter's maxima: a
   * device like the smallest Stepsize supports, on which tests check that every kernel builds.
   */
  minimalLimits?: boolean;
}

/** Requests an adapter and a device with our required limits, wiring loss and uncaptured errors once. */
export async function openGpu(gpu: GPU | undefined, opts: OpenOptions = {}): Promise<GpuContext> {
  if (!gpu) {
    throw new GpuUnavailableError(
      'WebGPU is not available here (navigator.gpu is undefined). Use a browser with WebGPU enabled ' +
        '(Chrome/Edge 113+, or Firefox/Safari with WebGPU turned on), or run the CLI with Dawn.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new GpuUnavailableError(
      'No WebGPU adapter was found. The GPU may be blocklisted or disabled; in Chrome try ' +
        'chrome://flags/#enable-unsafe-webgpu, or on Linux start with --enable-features=Vulkan.',
    );
  }
  for (const [key, need] of Object.entries(REQUIRED_LIMITS)) {
    const have = adapter.limits[key as keyof GPUSupportedLimits] as number;
    if (have < need) {
      throw new GpuUnavailableError(`adapter limit ${key} is ${have}; Stepsize needs at least ${need}`);
    }
  }
  const requiredLimits: Record<string, number> = opts.minimalLimits ? { ...REQUIRED_LIMITS } : {};
  if (!opts.minimalLimits) for (const key of RAISED_LIMITS) requiredLimits[key] = adapter.limits[key] as number;
  const wanted = ['timestamp-query', 'subgroups'].filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: wanted, label: 'stepsize' });
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const whenLost = device.lost.then((i) => new GpuDeviceLostError(i.reason ?? 'unknown', i.message || 'no detail given'));
  const ctx: GpuContext = {
    device,
    adapter: summarizeAdapter(info, (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false),
    limits: device.limits,
    features: new Set(device.features as unknown as Iterable<string>),
    lost: null,
    whenLost,
    uncaptured: [],
    pipelines: new Map(),
    layouts: new Map(),
  };
  device.addEventListener('uncapturederror', (ev) => {
    const message = (ev as GPUUncapturedErrorEvent).error.message;
    ctx.uncaptured.push(message);
    opts.onUncapturedError?.(message);
  });
  void whenLost.then((err) => {
    ctx.lost = err;
    if (err.reason !== 'destroyed') opts.onLost?.(err);
  });
  return ctx;
}

/**
 * `p`, or the device's loss if that comes first: a wait on the GPU (a buffer mapping, finished work)
 * never hangs on a lost device, it fails with GpuDeviceLostError.
 */
export function untilLost<T>(ctx: GpuContext, p: Promise<T>): Promise<T> {
  // Not Promise.race with a rejecting twin: that twin would reject unhandled when the device goes.
  return new Promise<T>((resolve, reject) => {
    p.then(resolve, reject);
    void ctx.whenLost.then(reject);
  });
}

/** Throws the recorded loss if the device is gone, so callers fail loudly instead of hanging. */
export function assertAlive(ctx: GpuContext): void {
  if (ctx.lost) throw ctx.lost;
}

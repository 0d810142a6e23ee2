// Errors raised by the GPU runtime. Each names what failed (kernel, buffer, limit) so a user
// reading one line knows which part of the step and which shapes were involved.

export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

/** The adapter cannot run Stepsize at all (no adapter, or a limit below what we need). */
export class GpuUnavailableError extends GpuError {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

/** A buffer, pipeline or dispatch failed validation or ran out of memory. */
export class GpuOperationError extends GpuError {
  constructor(
    readonly what: string,
    readonly kind: 'validation' | 'out-of-memory' | 'internal',
    detail: string,
  ) {
    super(`${what}: ${kind} error: ${detail}`);
    this.name = 'GpuOperationError';
  }
}

/** The device was lost (driver reset, tab backgrounded too long, destroy()). */
export class GpuDeviceLostError extends GpuError {
  constructor(readonly reason: string, detail: string) {
    super(`GPU device lost (${reason}): ${detail}`);
    this.name = 'GpuDeviceLostError';
  }
}

/**
 * Runs `fn` inside validation, out-of-memory and internal error scopes and throws a
 * GpuOperationError naming `what` if any of them caught an error. Scopes nest, so the
 * innermost (validation) is popped first.
 */
export async function scoped<T>(device: GPUDevice, what: string, fn: () => T): Promise<T> {
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = fn();
  } finally {
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const internal = await device.popErrorScope();
    const err = validation ?? oom ?? internal;
    if (err) {
      const kind = err === validation ? 'validation' : err === oom ? 'out-of-memory' : 'internal';
      // eslint-disable-next-line no-unsafe-finally
      throw new GpuOperationError(what, kind, err.message);
    }
  }
  return result;
}

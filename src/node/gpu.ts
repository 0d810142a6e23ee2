// Node's front door to WebGPU: Dawn's `webgpu` package. Where no GPU driver answers (CI, laptops
// without Vulkan), WebGPU runs on the CPU through SwiftShader, which Debian's chromium package ships.

import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { openGpu, type GpuContext, type OpenOptions } from '../gpu/device';
import { GpuUnavailableError } from '../gpu/errors';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export type NodeBackend = 'auto' | 'swiftshader' | 'gpu';

let globalsInstalled = false;
/**
 * Dawn's GPU instances, kept reachable for the life of the process: if the instance returned by
 * create() is garbage-collected while a device from it is open, Dawn aborts or hangs in its event
 * processing (seen as "std::system_error: Invalid argument").
 */
const liveInstances: GPU[] = [];

function installGlobals(): void {
  if (globalsInstalled) return;
  Object.assign(globalThis, globals);
  paceDawnPolling();
  globalsInstalled = true;
}

/**
 * While a GPU promise is pending (a mapAsync, onSubmittedWorkDone), Dawn's Node binding asks for its
 * event processing again at every setImmediate, so the main thread spins a whole core. On a CPU
 * adapter that core is one SwiftShader's workers need to run the kernels. Dawn's callback (a native
 * function) goes through setTimeout instead, about once a millisecond; everyone else's setImmediate
 * is untouched. A promise then resolves up to a millisecond late, which no step waits on.
 */
function paceDawnPolling(): void {
  const immediate = globalThis.setImmediate;
  const isNative = (fn: unknown) => typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');
  globalThis.setImmediate = Object.assign(
    (fn: (...a: unknown[]) => void, ...args: unknown[]) => (isNative(fn) ? setTimeout(fn, 0, ...args) : immediate(fn, ...args)),
    { __promisify__: immediate.__promisify__ },
  ) as typeof setImmediate;
}

function useSwiftShader(): void {
  if (!existsSync(SWIFTSHADER_ICD)) {
    throw new GpuUnavailableError(
      `no GPU adapter answered and SwiftShader is missing (${SWIFTSHADER_ICD}); install it with ` +
        '`apt-get install -y chromium libvulkan1`, or run where a Vulkan GPU driver is installed',
    );
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  delete process.env.VK_DRIVER_FILES;
}

/**
 * Opens a WebGPU device in Node.
 * - 'swiftshader': always the CPU (tests: deterministic and available everywhere chromium is).
 * - 'gpu': only a real driver; fails if none.
 * - 'auto': a real driver if one answers, else SwiftShader.
 * An explicit VK_ICD_FILENAMES / VK_DRIVER_FILES in the environment is respected by 'auto'.
 */
export async function openNodeGpu(backend: NodeBackend = 'auto', opts: OpenOptions = {}): Promise<GpuContext> {
  installGlobals();
  if (backend === 'swiftshader') useSwiftShader();
  // Vulkan only on Linux: Dawn's OpenGL probe prints EGL noise there and adds nothing.
  const dawnFlags = ['disable-dawn-features=timestamp_quantization', 'enable-dawn-features=disable_robustness', ...(process.platform === 'linux' ? ['backend=vulkan'] : [])];
  let gpu = create(dawnFlags);
  if (backend === 'auto' && !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
    liveInstances.push(gpu);
    const probe = await gpu.requestAdapter();
    if (!probe) {
      useSwiftShader();
      gpu = create(dawnFlags);
    }
  }
  liveInstances.push(gpu);
  return openGpu(gpu, opts);
}

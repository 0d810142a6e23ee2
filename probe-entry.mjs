import { existsSync } from "node:fs";
import { create, globals } from "webgpu";
// src/gpu/errors.ts
var GpuError = class extends Error {
	constructor(message) {
		super(message);
		this.name = "GpuError";
	}
};
/** The adapter cannot run Stepsize at all (no adapter, or a limit below what we need). */
var GpuUnavailableError = class extends GpuError {
	constructor(message) {
		super(message);
		this.name = "GpuUnavailableError";
	}
};
/** A buffer, pipeline or dispatch failed validation or ran out of memory. */
var GpuOperationError = class extends GpuError {
	constructor(what, kind, detail) {
		super(`${what}: ${kind} error: ${detail}`);
		this.what = what;
		this.kind = kind;
		this.name = "GpuOperationError";
	}
};
/** The device was lost (driver reset, tab backgrounded too long, destroy()). */
var GpuDeviceLostError = class extends GpuError {
	constructor(reason, detail) {
		super(`GPU device lost (${reason}): ${detail}`);
		this.reason = reason;
		this.name = "GpuDeviceLostError";
	}
};
// src/gpu/device.ts
/** Limits below which no kernel of ours can run; everything else is requested at the adapter's max. */
var REQUIRED_LIMITS = {
	maxComputeInvocationsPerWorkgroup: 256,
	maxComputeWorkgroupStorageSize: 16384,
	maxStorageBuffersPerShaderStage: 8,
	maxComputeWorkgroupSizeX: 256
};
/** Limits we raise to the adapter's values so large models and batches fit. */
var RAISED_LIMITS = [
	"maxStorageBufferBindingSize",
	"maxBufferSize",
	"maxComputeWorkgroupStorageSize",
	"maxComputeInvocationsPerWorkgroup",
	"maxComputeWorkgroupSizeX",
	"maxComputeWorkgroupSizeY",
	"maxStorageBuffersPerShaderStage",
	"maxComputeWorkgroupsPerDimension",
	"maxUniformBufferBindingSize"
];
function summarizeAdapter(info, isFallback = false) {
	const vendor = info?.vendor ?? "";
	const architecture = info?.architecture ?? "";
	const description = info?.description ?? "";
	const software = isFallback || /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${vendor} ${architecture} ${description}`);
	return {
		name: description || [vendor, architecture].filter(Boolean).join(" ") || (software ? "software adapter" : "unknown adapter"),
		vendor,
		architecture,
		description,
		isSoftware: software
	};
}
/** Requests an adapter and a device with our required limits, wiring loss and uncaptured errors once. */
async function openGpu(gpu, opts = {}) {
	if (!gpu) throw new GpuUnavailableError("WebGPU is not available here (navigator.gpu is undefined). Use a browser with WebGPU enabled (Chrome/Edge 113+, or Firefox/Safari with WebGPU turned on), or run the CLI with Dawn.");
	const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? "high-performance" });
	if (!adapter) throw new GpuUnavailableError("No WebGPU adapter was found. The GPU may be blocklisted or disabled; in Chrome try chrome://flags/#enable-unsafe-webgpu, or on Linux start with --enable-features=Vulkan.");
	for (const [key, need] of Object.entries(REQUIRED_LIMITS)) {
		const have = adapter.limits[key];
		if (have < need) throw new GpuUnavailableError(`adapter limit ${key} is ${have}; Stepsize needs at least ${need}`);
	}
	const requiredLimits = {};
	for (const key of RAISED_LIMITS) requiredLimits[key] = adapter.limits[key];
	const wanted = ["timestamp-query", "subgroups"].filter((f) => adapter.features.has(f));
	const device = await adapter.requestDevice({
		requiredLimits,
		requiredFeatures: wanted,
		label: "stepsize"
	});
	const info = adapter.info;
	const ctx = {
		device,
		adapter: summarizeAdapter(info, adapter.isFallbackAdapter ?? false),
		limits: device.limits,
		features: new Set(device.features),
		lost: null,
		uncaptured: [],
		pipelines: /* @__PURE__ */ new Map(),
		layouts: /* @__PURE__ */ new Map()
	};
	device.addEventListener("uncapturederror", (ev) => {
		const message = ev.error.message;
		ctx.uncaptured.push(message);
		opts.onUncapturedError?.(message);
	});
	device.lost.then((info) => {
		ctx.lost = new GpuDeviceLostError(info.reason ?? "unknown", info.message || "no detail given");
		if (info.reason !== "destroyed") opts.onLost?.(ctx.lost);
	});
	return ctx;
}
/** Throws the recorded loss if the device is gone, so callers fail loudly instead of hanging. */
function assertAlive(ctx) {
	if (ctx.lost) throw ctx.lost;
}
// src/node/gpu.ts
var SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
var globalsInstalled = false;
/**
* Dawn's GPU instances, kept reachable for the life of the process: if the instance returned by
* create() is garbage-collected while a device from it is open, Dawn aborts or hangs in its event
* processing (seen as "std::system_error: Invalid argument").
*/
var liveInstances = [];
function installGlobals() {
	if (globalsInstalled) return;
	Object.assign(globalThis, globals);
	globalsInstalled = true;
}
function useSwiftShader() {
	if (!existsSync("/usr/lib/chromium/vk_swiftshader_icd.json")) throw new GpuUnavailableError(`no GPU adapter answered and SwiftShader is missing (${SWIFTSHADER_ICD}); install it with \`apt-get install -y chromium libvulkan1\`, or run where a Vulkan GPU driver is installed`);
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
async function openNodeGpu(backend = "auto", opts = {}) {
	installGlobals();
	if (backend === "swiftshader") useSwiftShader();
	const dawnFlags = [
		"disable-dawn-features=timestamp_quantization",
		"enable-dawn-features=disable_robustness",
		...process.platform === "linux" ? ["backend=vulkan"] : []
	];
	let gpu = create(dawnFlags);
	if (backend === "auto" && !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
		liveInstances.push(gpu);
		if (!await gpu.requestAdapter()) {
			useSwiftShader();
			gpu = create(dawnFlags);
		}
	}
	liveInstances.push(gpu);
	return openGpu(gpu, opts);
}
/** Creates a storage buffer of `bytes` (rounded up to 16), zero-filled by WebGPU. */
async function createStorage(ctx, label, bytes) {
	assertAlive(ctx);
	const size = Math.max(16, Math.ceil(bytes / 16) * 16);
	const max = ctx.limits.maxBufferSize;
	if (size > max) throw new GpuOperationError(`buffer ${label}`, "out-of-memory", `${size} bytes needed, adapter maxBufferSize is ${max}`);
	const { device } = ctx;
	device.pushErrorScope("out-of-memory");
	const buffer = device.createBuffer({
		label,
		size,
		usage: 140
	});
	const err = await device.popErrorScope();
	if (err) throw new GpuOperationError(`buffer ${label} (${size} bytes)`, "out-of-memory", err.message);
	return buffer;
}
/** Creates a storage buffer holding `data`. */
async function createStorageFrom(ctx, label, data) {
	const buffer = await createStorage(ctx, label, data.byteLength);
	upload(ctx, buffer, data);
	return buffer;
}
/** Queues a write of `data` at `byteOffset` (ordered before the next submit). */
function upload(ctx, buffer, data, byteOffset = 0) {
	const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
	const padded = bytes.byteLength % 4 === 0 ? bytes : (() => {
		const p = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
		p.set(bytes);
		return p;
	})();
	ctx.device.queue.writeBuffer(buffer, byteOffset, padded.buffer, padded.byteOffset, padded.byteLength);
}
/** Copies `bytes` from `buffer` at `byteOffset` into a fresh staging buffer and maps it (awaits the GPU). */
async function readBytes(ctx, buffer, byteOffset = 0, bytes = buffer.size - byteOffset) {
	assertAlive(ctx);
	const { device } = ctx;
	const size = Math.ceil(bytes / 4) * 4;
	const staging = device.createBuffer({
		label: `read ${buffer.label}`,
		size,
		usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST
	});
	const enc = device.createCommandEncoder({ label: `read ${buffer.label}` });
	enc.copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
	device.queue.submit([enc.finish()]);
	await staging.mapAsync(GPUMapMode.READ);
	const out = staging.getMappedRange().slice(0, bytes);
	staging.unmap();
	staging.destroy();
	return out;
}
async function readF32(ctx, buffer, offsetElems = 0, count) {
	const n = count ?? buffer.size / 4 - offsetElems;
	return new Float32Array(await readBytes(ctx, buffer, offsetElems * 4, n * 4));
}
/** A small uniform buffer the host rewrites (e.g. once per step) with queue.writeBuffer. */
async function createUniform(ctx, label, bytes) {
	assertAlive(ctx);
	const { device } = ctx;
	device.pushErrorScope("out-of-memory");
	const buffer = device.createBuffer({
		label,
		size: Math.ceil(bytes / 16) * 16,
		usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST
	});
	const err = await device.popErrorScope();
	if (err) throw new GpuOperationError(`uniform ${label}`, "out-of-memory", err.message);
	return buffer;
}
// src/gpu/kernel.ts
function defineKernel(def) {
	if (def.bindings[0]?.name !== "params" || def.bindings[0].kind !== "uniform") throw new Error(`kernel ${def.name}: binding 0 must be the 'params' uniform`);
	if (def.paramBytes % 16 !== 0) throw new Error(`kernel ${def.name}: paramBytes must be a multiple of 16`);
	return def;
}
function layoutFor(ctx, kernel) {
	const key = kernel.bindings.map((b) => b.kind).join(",");
	let layout = ctx.layouts.get(key);
	if (!layout) {
		layout = ctx.device.createBindGroupLayout({
			label: `layout(${key})`,
			entries: kernel.bindings.map((b, i) => ({
				binding: i,
				visibility: GPUShaderStage.COMPUTE,
				buffer: { type: b.kind === "uniform" ? "uniform" : b.kind === "read" ? "read-only-storage" : "storage" }
			}))
		});
		ctx.layouts.set(key, layout);
	}
	return layout;
}
function bindGroupLayout(ctx, kernel) {
	return layoutFor(ctx, kernel);
}
/** The kernel's pipeline, compiled on first use. Compilation errors name the kernel. */
async function getPipeline(ctx, kernel) {
	const cached = ctx.pipelines.get(kernel.name);
	if (cached) return cached;
	const { device } = ctx;
	device.pushErrorScope("validation");
	const module = device.createShaderModule({
		label: kernel.name,
		code: kernel.code
	});
	const moduleError = await device.popErrorScope();
	if (moduleError) throw new GpuOperationError(`kernel ${kernel.name} (WGSL)`, "validation", moduleError.message);
	device.pushErrorScope("validation");
	const pipeline = device.createComputePipeline({
		label: kernel.name,
		layout: device.createPipelineLayout({
			label: kernel.name,
			bindGroupLayouts: [layoutFor(ctx, kernel)]
		}),
		compute: {
			module,
			entryPoint: kernel.entryPoint
		}
	});
	const pipelineError = await device.popErrorScope();
	if (pipelineError) throw new GpuOperationError(`kernel ${kernel.name} (pipeline)`, "validation", pipelineError.message);
	ctx.pipelines.set(kernel.name, pipeline);
	return pipeline;
}
// src/gpu/program.ts
/** Splits a linear workgroup count into a 2D grid; kernels rebuild the index as y·num_workgroups.x + x. */
function grid(n, maxPerDim) {
	if (n <= maxPerDim) return [n, 1];
	const y = Math.ceil(n / maxPerDim);
	return [Math.ceil(n / y), y];
}
var Program = class {
	constructor(ctx, label) {
		this.ctx = ctx;
		this.label = label;
		this.specs = [];
		this.built = null;
		this.paramBuffer = null;
	}
	add(spec) {
		if (this.built) throw new Error(`program ${this.label}: add() after build()`);
		if (spec.params.byteLength !== spec.kernel.paramBytes) throw new Error(`${spec.label}: params are ${spec.params.byteLength} bytes, kernel ${spec.kernel.name} wants ${spec.kernel.paramBytes}`);
		if (!(spec.workgroups > 0)) throw new Error(`${spec.label}: workgroup count ${spec.workgroups} must be positive`);
		this.specs.push(spec);
		return this;
	}
	/** Number of dispatches the program encodes per run. */
	get dispatchCount() {
		return this.specs.length;
	}
	get dispatchLabels() {
		return this.specs.map((s) => s.label);
	}
	get dispatchKernels() {
		return this.specs.map((s) => s.kernel.name);
	}
	async build() {
		const { ctx } = this;
		const { device } = ctx;
		assertAlive(ctx);
		const align = ctx.limits.minUniformBufferOffsetAlignment;
		const offsets = [];
		let total = 0;
		for (const s of this.specs) {
			offsets.push(total);
			total += Math.ceil(s.params.byteLength / align) * align;
		}
		const pipelines = await Promise.all(this.specs.map((s) => getPipeline(ctx, s.kernel)));
		device.pushErrorScope("out-of-memory");
		this.paramBuffer = device.createBuffer({
			label: `${this.label} params`,
			size: Math.max(total, 16),
			usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST
		});
		const oom = await device.popErrorScope();
		if (oom) throw new GpuOperationError(`${this.label} params buffer (${total} bytes)`, "out-of-memory", oom.message);
		const built = [];
		for (let i = 0; i < this.specs.length; i++) {
			const s = this.specs[i];
			device.queue.writeBuffer(this.paramBuffer, offsets[i], s.params);
			const entries = s.kernel.bindings.map((b, binding) => {
				if (binding === 0) return {
					binding,
					resource: {
						buffer: this.paramBuffer,
						offset: offsets[i],
						size: s.params.byteLength
					}
				};
				const ref = s.buffers[b.name];
				if (!ref) throw new Error(`${s.label}: no buffer given for binding '${b.name}' of kernel ${s.kernel.name}`);
				return {
					binding,
					resource: "buffer" in ref ? ref : { buffer: ref }
				};
			});
			device.pushErrorScope("validation");
			const bindGroup = device.createBindGroup({
				label: s.label,
				layout: bindGroupLayout(ctx, s.kernel),
				entries
			});
			const err = await device.popErrorScope();
			if (err) throw new GpuOperationError(`bind group for ${s.label}`, "validation", err.message);
			const [x, y] = grid(s.workgroups, ctx.limits.maxComputeWorkgroupsPerDimension);
			built.push({
				pipeline: pipelines[i],
				bindGroup,
				x,
				y
			});
		}
		this.built = built;
		return this;
	}
	/** Encodes every dispatch into `pass`, in order. */
	encode(pass) {
		if (!this.built) throw new Error(`program ${this.label}: encode() before build()`);
		let last = null;
		for (const d of this.built) {
			if (d.pipeline !== last) pass.setPipeline(d.pipeline);
			last = d.pipeline;
			pass.setBindGroup(0, d.bindGroup);
			pass.dispatchWorkgroups(d.x, d.y);
		}
	}
	/** Encodes dispatch `i` alone (profiling). */
	encodeOne(pass, i) {
		if (!this.built) throw new Error(`program ${this.label}: encodeOne() before build()`);
		const d = this.built[i];
		pass.setPipeline(d.pipeline);
		pass.setBindGroup(0, d.bindGroup);
		pass.dispatchWorkgroups(d.x, d.y);
	}
	/** Encodes and submits the program in its own pass (tests and one-off work). */
	submit(encoder) {
		assertAlive(this.ctx);
		const enc = encoder ?? this.ctx.device.createCommandEncoder({ label: this.label });
		const pass = enc.beginComputePass({ label: this.label });
		this.encode(pass);
		pass.end();
		if (!encoder) this.ctx.device.queue.submit([enc.finish()]);
	}
	/** Submits inside error scopes and waits, so a failing dispatch is reported with this program's label. */
	async run() {
		const { device } = this.ctx;
		device.pushErrorScope("validation");
		device.pushErrorScope("out-of-memory");
		this.submit();
		const oom = await device.popErrorScope();
		const val = await device.popErrorScope();
		const err = val ?? oom;
		if (err) throw new GpuOperationError(`program ${this.label} [${this.dispatchLabels.join("; ")}]`, val ? "validation" : "out-of-memory", err.message);
		await device.queue.onSubmittedWorkDone();
		assertAlive(this.ctx);
	}
	destroy() {
		this.paramBuffer?.destroy();
		this.paramBuffer = null;
		this.built = null;
	}
};
// shaders/embedding.wgsl?raw
var embedding_default = "// Token + position embeddings, reading tokens from the corpus through window offsets.\n// Shapes: wte [V, C], wpe [Tmax, C] in P;  x [B·T, C] in X;  dwte, dwpe in G.\n//   forward:  x[b·T + t, :] = wte[token(b, t), :] + wpe[t, :]          (one thread per element)\n//   backward: dwte[v, :] += Σ_{(b,t): token = v} dx[b·T + t, :]         (workgroups [0, V): one per vocab row)\n//             dwpe[t, :] += Σ_b dx[b·T + t, :]                          (workgroups [V, V + T): one per position)\n// Deterministic: every output row is summed by one workgroup in a fixed order, no atomics.\n// (requires tokens_fn.wgsl)\n\nconst WG = 64u;\n\nstruct Params {\n  B: u32, T: u32, C: u32, V: u32,\n  x_off: u32, wte_off: u32, wpe_off: u32, win_off: u32,\n  dx_off: u32, dwte_off: u32, dwpe_off: u32, flags: u32,\n}\n\nconst F_TOKENS = 1u;    // backward: accumulate dwte\nconst F_POSITIONS = 2u; // backward: accumulate dwpe\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<storage, read> corpus: array<u32>;\n@group(0) @binding(2) var<storage, read> windows: array<u32>;\n@group(0) @binding(3) var<storage, read> P: array<f32>;\n@group(0) @binding(4) var<storage, read_write> X: array<f32>;\n@group(0) @binding(5) var<storage, read_write> G: array<f32>;\n\n@compute @workgroup_size(64)\nfn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let i = (wg.y * nwg.x + wg.x) * WG + li;\n  let C = prm.C;\n  if (i >= prm.B * prm.T * C) { return; }\n  let c = i % C;\n  let bt = i / C;\n  let t = bt % prm.T;\n  let tok = token_at(prm.win_off, bt / prm.T, t);\n  X[prm.x_off + i] = P[prm.wte_off + tok * C + c] + P[prm.wpe_off + t * C + c];\n}\n\n@compute @workgroup_size(64)\nfn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let id = wg.y * nwg.x + wg.x;\n  let C = prm.C;\n  let BT = prm.B * prm.T;\n  if (id < prm.V) {\n    if ((prm.flags & F_TOKENS) == 0u) { return; }\n    let v = id;\n    for (var c = li; c < C; c += WG) {\n      var s = 0.0;\n      for (var bt = 0u; bt < BT; bt += 1u) {\n        if (token_at(prm.win_off, bt / prm.T, bt % prm.T) == v) { s += X[prm.dx_off + bt * C + c]; }\n      }\n      G[prm.dwte_off + v * C + c] += s;\n    }\n    return;\n  }\n  let t = id - prm.V;\n  if (t >= prm.T || (prm.flags & F_POSITIONS) == 0u) { return; }\n  for (var c = li; c < C; c += WG) {\n    var s = 0.0;\n    for (var b = 0u; b < prm.B; b += 1u) { s += X[prm.dx_off + (b * prm.T + t) * C + c]; }\n    G[prm.dwpe_off + t * C + c] += s;\n  }\n}\n\n// 'cpu' style backward: threads [0, V) own a vocabulary row each and walk the tokens once, adding\n// each matching row of dx in order; threads [V, V + T) own a position each. No workgroup memory.\n@compute @workgroup_size(64)\nfn backward_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let id = (wg.y * nwg.x + wg.x) * WG + li;\n  let C = prm.C;\n  if (id < prm.V) {\n    if ((prm.flags & F_TOKENS) == 0u) { return; }\n    let out = prm.dwte_off + id * C;\n    for (var bt = 0u; bt < prm.B * prm.T; bt += 1u) {\n      if (token_at(prm.win_off, bt / prm.T, bt % prm.T) != id) { continue; }\n      for (var c = 0u; c < C; c += 1u) { G[out + c] += X[prm.dx_off + bt * C + c]; }\n    }\n    return;\n  }\n  let t = id - prm.V;\n  if (t >= prm.T || (prm.flags & F_POSITIONS) == 0u) { return; }\n  let out = prm.dwpe_off + t * C;\n  for (var b = 0u; b < prm.B; b += 1u) {\n    for (var c = 0u; c < C; c += 1u) { G[out + c] += X[prm.dx_off + (b * prm.T + t) * C + c]; }\n  }\n}\n";
// shaders/lib/tokens_fn.wgsl?raw
var tokens_fn_default = "// Tokens straight from the corpus on the GPU: the corpus is bytes packed four to a u32\n// (little-endian), and a batch is a list of window start offsets, one per sequence. Token (b, t)\n// of a batch whose windows start at windows[win_off + b] is corpus byte windows[win_off + b] + t.\n// Requires module-scope bindings `corpus: array<u32>` and `windows: array<u32>`.\n\nfn corpus_byte(pos: u32) -> u32 {\n  return (corpus[pos >> 2u] >> ((pos & 3u) * 8u)) & 0xffu;\n}\n\nfn token_at(win_off: u32, b: u32, t: u32) -> u32 {\n  return corpus_byte(windows[win_off + b] + t);\n}\n";
// src/gpu/params.ts
var ParamWriter = class {
	constructor(bytes) {
		this.bytes = bytes;
		this.offset = 0;
		this.view = new DataView(new ArrayBuffer(bytes));
	}
	u32(v) {
		if (!Number.isInteger(v) || v < 0 || v > 4294967295) throw new RangeError(`param u32 out of range: ${v}`);
		this.view.setUint32(this.offset, v, true);
		this.offset += 4;
		return this;
	}
	i32(v) {
		this.view.setInt32(this.offset, v, true);
		this.offset += 4;
		return this;
	}
	f32(v) {
		this.view.setFloat32(this.offset, v, true);
		this.offset += 4;
		return this;
	}
	/** Skips to a byte offset (for padding or fixed-size arrays); never moves backwards. */
	seek(offset) {
		if (offset < this.offset) throw new RangeError(`ParamWriter.seek(${offset}) is behind ${this.offset}`);
		this.offset = offset;
		return this;
	}
	get position() {
		return this.offset;
	}
	finish() {
		if (this.offset > this.bytes) throw new RangeError(`params overflow: wrote ${this.offset} of ${this.bytes} bytes`);
		return this.view.buffer;
	}
};
// src/kernels/embedding.ts
var PARAM_BYTES$2 = 48;
var embeddingForwardKernel = defineKernel({
	name: "embedding.forward",
	code: tokens_fn_default + embedding_default,
	entryPoint: "forward",
	bindings: [
		{
			name: "params",
			kind: "uniform"
		},
		{
			name: "corpus",
			kind: "read"
		},
		{
			name: "windows",
			kind: "read"
		},
		{
			name: "P",
			kind: "read"
		},
		{
			name: "X",
			kind: "rw"
		}
	],
	paramBytes: PARAM_BYTES$2,
	threads: 64
});
var embeddingBackwardKernel = defineKernel({
	...embeddingForwardKernel,
	name: "embedding.backward",
	entryPoint: "backward",
	bindings: [...embeddingForwardKernel.bindings, {
		name: "G",
		kind: "rw"
	}]
});
var embeddingBackwardRowsKernel = defineKernel({
	...embeddingBackwardKernel,
	name: "embedding.backward.rows",
	entryPoint: "backward_rows"
});
function pack$2(a, flags) {
	return new ParamWriter(PARAM_BYTES$2).u32(a.B).u32(a.T).u32(a.C).u32(a.V).u32(a.x ?? 0).u32(a.wte ?? 0).u32(a.wpe ?? 0).u32(a.winOff).u32(a.dx ?? 0).u32(a.dwte ?? 0).u32(a.dwpe ?? 0).u32(flags).finish();
}
function embeddingForward(label, a, buffers) {
	return {
		kernel: embeddingForwardKernel,
		label: `embedding.forward ${label} [B=${a.B} T=${a.T} C=${a.C}]`,
		params: pack$2(a, 0),
		buffers,
		workgroups: Math.ceil(a.B * a.T * a.C / 64)
	};
}
/** Style 'gpu': a workgroup per output row; 'cpu': a thread per output row. */
function embeddingBackward(label, a, buffers, style = "gpu") {
	const flags = (a.dwte !== void 0 ? 1 : 0) | (a.dwpe !== void 0 ? 2 : 0);
	if (!flags) throw new Error(`embedding.backward ${label}: neither table is trainable; skip the dispatch`);
	return {
		kernel: style === "gpu" ? embeddingBackwardKernel : embeddingBackwardRowsKernel,
		label: `embedding.backward ${label} [B=${a.B} T=${a.T} C=${a.C} V=${a.V}]`,
		params: pack$2(a, flags),
		buffers,
		workgroups: style === "gpu" ? a.V + a.T : Math.ceil((a.V + a.T) / 64)
	};
}
/** Packs bytes four to a u32, little-endian, as the kernels read them. */
function packBytes(bytes) {
	const out = new Uint32Array(Math.max(1, Math.ceil(bytes.length / 4)));
	new Uint8Array(out.buffer).set(bytes);
	return out;
}
// src/kernels/style.ts
function styleFor(adapter) {
	return adapter.isSoftware ? "cpu" : "gpu";
}
// shaders/adamw.wgsl?raw
var adamw_default = "// AdamW over the flat trainable arena, one workgroup per chunk (PyTorch torch.optim.AdamW):\n//   g = grad · clip;  lr_t = lr · lr_mult[tensor];  wd_t = weight_decay · decay[tensor]\n//   p ← p·(1 - lr_t·wd_t);  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²\n//   p ← p - (lr_t / bc1) · m / (√v / √bc2 + eps)           bc1 = 1-β1^t, √bc2 = √(1-β2^t) from Step\n// Then zeroes the gradient (the next step accumulates from zero) and writes Σ Δp², Σ p² per chunk.\n// Does nothing once State.halt is set, so parameters keep their last finite values.\n// (requires optim_common.wgsl)\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<uniform> stp: Step;\n@group(0) @binding(2) var<storage, read_write> P: array<f32>;\n@group(0) @binding(3) var<storage, read_write> G: array<f32>;\n@group(0) @binding(4) var<storage, read_write> M: array<f32>;\n@group(0) @binding(5) var<storage, read_write> V: array<f32>;\n@group(0) @binding(6) var<storage, read> table: array<vec4<u32>>;\n@group(0) @binding(7) var<storage, read> state: State;\n@group(0) @binding(8) var<storage, read_write> work: array<f32>;\n\n// One element's update; returns (Δp², p²) for the update statistics.\nfn update(i: u32, lr: f32, decay: f32, step_size: f32, clip: f32) -> vec2f {\n  let g = G[i] * clip;\n  let p0 = P[i];\n  let m = prm.beta1 * M[i] + (1.0 - prm.beta1) * g;\n  let v = prm.beta2 * V[i] + (1.0 - prm.beta2) * g * g;\n  let p = p0 * decay - step_size * m / (sqrt(v) / stp.bc2_sqrt + prm.eps);\n  P[i] = p;\n  M[i] = m;\n  V[i] = v;\n  if (prm.zero_grads != 0u) { G[i] = 0.0; }\n  return vec2f((p - p0) * (p - p0), p0 * p0);\n}\n\nstruct ChunkRates { lr: f32, decay: f32, step_size: f32 }\n\nfn rates(ch: vec4<u32>) -> ChunkRates {\n  let info = table[prm.n_chunks + ch.z];\n  let lr = stp.lr * bitcast<f32>(info.x);\n  return ChunkRates(lr, 1.0 - lr * prm.weight_decay * bitcast<f32>(info.y), lr / stp.bc1);\n}\n\n@compute @workgroup_size(256)\nfn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let c = chunk_id(wg, nwg);\n  if (c >= prm.n_chunks || state.halt != 0u) { return; }\n  let ch = table[c];\n  let r = rates(ch);\n  let clip = state.clip;\n  var acc = vec2f(0.0);\n  for (var k = li; k < ch.y; k += WG) { acc += update(ch.x + k, r.lr, r.decay, r.step_size, clip); }\n  let sums = wg_sum2(li, acc.x, acc.y);\n  if (li == 0u) {\n    work[prm.n_chunks + 2u * c] = sums.x;\n    work[prm.n_chunks + 2u * c + 1u] = sums.y;\n  }\n}\n\n// 'cpu' style: one thread per chunk, in order (no workgroup memory or barriers).\n@compute @workgroup_size(64)\nfn main_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let c = chunk_id(wg, nwg) * 64u + li;\n  if (c >= prm.n_chunks || state.halt != 0u) { return; }\n  let ch = table[c];\n  let r = rates(ch);\n  let clip = state.clip;\n  var acc = vec2f(0.0);\n  for (var k = 0u; k < ch.y; k += 1u) { acc += update(ch.x + k, r.lr, r.decay, r.step_size, clip); }\n  work[prm.n_chunks + 2u * c] = acc.x;\n  work[prm.n_chunks + 2u * c + 1u] = acc.y;\n}\n";
// shaders/fill.wgsl?raw
var fill_default = "// Fills a region of a flat arena with one value (zeroing gradients at setup and on reset).\n// Shapes: dst [n] at dst_off.\n\nconst WG = 256u;\n\nstruct Params { n: u32, dst_off: u32, value: f32, _p0: u32 }\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<storage, read_write> dst: array<f32>;\n\n@compute @workgroup_size(256)\nfn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let i = (wg.y * nwg.x + wg.x) * WG + li;\n  if (i < prm.n) { dst[prm.dst_off + i] = prm.value; }\n}\n";
// shaders/gradnorm_finalize.wgsl?raw
var gradnorm_finalize_default = "// Gradient norm, part 2, and the step's checks, in one workgroup:\n//   norm = √Σ work[c];  clip = min(1, grad_clip / (norm + 1e-6))  (PyTorch clip_grad_norm_; 1 if grad_clip ≤ 0)\n//   loss = mean of the step's per-row losses (all micro-batches)\n//   halt (sticky) on a non-finite loss or norm, or a loss above the first step's + diverge_margin\n// Writes State and the ring slot's head and per-tensor gradient norms.\n// (requires optim_common.wgsl)\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<uniform> stp: Step;\n@group(0) @binding(2) var<storage, read> table: array<vec4<u32>>;\n@group(0) @binding(3) var<storage, read> work: array<f32>;\n@group(0) @binding(4) var<storage, read> losses: array<f32>;\n@group(0) @binding(5) var<storage, read_write> state: State;\n@group(0) @binding(6) var<storage, read_write> ring: array<f32>;\n\n@compute @workgroup_size(256)\nfn main(@builtin(local_invocation_index) li: u32) {\n  var g = 0.0;\n  for (var c = li; c < prm.n_chunks; c += WG) { g += work[c]; }\n  var l = 0.0;\n  for (var r = li; r < prm.loss_count; r += WG) { l += losses[prm.loss_off + r]; }\n  let sums = wg_sum2(li, g, l);\n  let norm = sqrt(sums.x);\n  let loss = sums.y / f32(prm.loss_count);\n  let base = stp.slot * prm.slot_size;\n\n  for (var t = li; t < prm.n_tensors; t += WG) {\n    let info = table[prm.n_chunks + t];\n    var s = 0.0;\n    for (var c = info.z; c < info.z + info.w; c += 1u) { s += work[c]; }\n    ring[base + SLOT_HEAD + t] = sqrt(s);\n  }\n\n  if (li == 0u) {\n    var halt = state.halt;\n    if (halt == 0u) {\n      if (!is_finite(loss)) {\n        halt = HALT_LOSS;\n      } else if (!is_finite(norm)) {\n        halt = HALT_GRAD;\n      } else if (state.have_first != 0u && prm.diverge_margin > 0.0 && loss > state.first_loss + prm.diverge_margin) {\n        halt = HALT_DIVERGED;\n      }\n      if (halt != 0u) {\n        state.halt = halt;\n        state.halt_step = stp.step;\n        state.halt_loss = loss;\n        state.halt_norm = norm;\n      }\n    }\n    if (state.have_first == 0u && is_finite(loss)) {\n      state.first_loss = loss;\n      state.have_first = 1u;\n    }\n    var clip = 1.0;\n    if (prm.grad_clip > 0.0 && is_finite(norm)) { clip = min(1.0, prm.grad_clip / (norm + 1e-6)); }\n    state.clip = clip;\n    state.last_step = stp.step;\n    ring[base + 0u] = f32(stp.step);\n    ring[base + 1u] = loss;\n    ring[base + 2u] = norm;\n    ring[base + 3u] = stp.lr;\n    ring[base + 4u] = clip;\n    ring[base + 5u] = f32(halt);\n  }\n}\n";
// shaders/gradnorm_sumsq.wgsl?raw
var gradnorm_sumsq_default = "// Gradient norm, part 1: one workgroup per chunk writes work[c] = Σ g² over chunk c.\n// (requires optim_common.wgsl)\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<storage, read> G: array<f32>;\n@group(0) @binding(2) var<storage, read> table: array<vec4<u32>>;\n@group(0) @binding(3) var<storage, read_write> work: array<f32>;\n\n@compute @workgroup_size(256)\nfn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let c = chunk_id(wg, nwg);\n  if (c >= prm.n_chunks) { return; }\n  let ch = table[c];\n  var s = 0.0;\n  for (var i = li; i < ch.y; i += WG) {\n    let g = G[ch.x + i];\n    s += g * g;\n  }\n  let total = wg_sum(li, s);\n  if (li == 0u) { work[c] = total; }\n}\n\n// 'cpu' style: one thread per chunk, summing in order (no workgroup memory or barriers).\n@compute @workgroup_size(64)\nfn main_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let c = chunk_id(wg, nwg) * 64u + li;\n  if (c >= prm.n_chunks) { return; }\n  let ch = table[c];\n  var s = 0.0;\n  for (var i = 0u; i < ch.y; i += 1u) {\n    let g = G[ch.x + i];\n    s += g * g;\n  }\n  work[c] = s;\n}\n";
// shaders/lib/optim_common.wgsl?raw
var optim_common_default = "// Shared by the optimizer kernels (gradnorm_sumsq, gradnorm_finalize, adamw, optim_stats), which\n// make one optimizer step over the flat arenas in four dispatches:\n//   sumsq    one workgroup per chunk: work[c] = Σ g² over the chunk            (gradient norm, part 1)\n//   finalize one workgroup: global norm, clip scale, mean loss, non-finite and divergence checks,\n//            sticky halt flag; writes the step's ring slot                       (gradient norm, part 2)\n//   adamw    one workgroup per chunk: clipped AdamW update (decoupled weight decay, bias correction,\n//            per-tensor learning-rate multiplier and decay flag); zeroes the gradient it consumed;\n//            work[NC + 2c], work[NC + 2c + 1] = Σ Δp², Σ p² over the chunk; nothing when halted\n//   stats    one workgroup: per-tensor gradient norms and update-to-weight ratios into the ring slot\n// Chunks never cross tensors, so per-tensor figures are sums of whole chunks. Every sum has a fixed\n// order (no atomics): the same inputs give the same bits.\n// Shapes: P, G, M, V [n] (trainable region, same offsets in all four); table rows (vec4<u32>):\n//   [0, NC):        chunk  (start, count, tensor, 0)\n//   [NC, NC + NT):  tensor (bitcast lr_mult, bitcast decay, first chunk, chunk count)\n// Ring slot (f32, slot_size each): [step, loss, grad_norm, lr, clip, halt, update_ratio, param_norm,\n//   grad_norm[t] for t < NT, update_ratio[t] for t < NT]\n\nconst WG = 256u;\nconst HALT_LOSS = 1u;      // loss NaN or Inf\nconst HALT_GRAD = 2u;      // gradient norm NaN or Inf\nconst HALT_DIVERGED = 3u;  // loss above the first step's loss + diverge_margin\nconst SLOT_HEAD = 8u;\n\nstruct Params {\n  n_chunks: u32, n_tensors: u32, loss_off: u32, loss_count: u32,\n  beta1: f32, beta2: f32, eps: f32, weight_decay: f32,\n  grad_clip: f32, diverge_margin: f32, slot_size: u32, ring_slots: u32,\n  zero_grads: u32, _p0: u32, _p1: u32, _p2: u32,\n}\n\n// Written by the host once per optimizer step (queue.writeBuffer before the step's submit).\nstruct Step {\n  step: u32, lr: f32, bc1: f32, bc2_sqrt: f32,\n  slot: u32, _p0: u32, _p1: u32, _p2: u32,\n}\n\nstruct State {\n  clip: f32, halt: u32, halt_step: u32, first_loss: f32,\n  have_first: u32, halt_loss: f32, halt_norm: f32, last_step: u32,\n}\n\nvar<workgroup> red: array<f32, 256>;\nvar<workgroup> red2: array<f32, 256>;\n\nfn is_finite(x: f32) -> bool {\n  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;\n}\n\nfn wg_sum(li: u32, v: f32) -> f32 {\n  red[li] = v;\n  workgroupBarrier();\n  for (var s = WG / 2u; s > 0u; s >>= 1u) {\n    if (li < s) { red[li] += red[li + s]; }\n    workgroupBarrier();\n  }\n  let total = red[0];\n  workgroupBarrier();\n  return total;\n}\n\nfn wg_sum2(li: u32, a: f32, b: f32) -> vec2f {\n  red[li] = a;\n  red2[li] = b;\n  workgroupBarrier();\n  for (var s = WG / 2u; s > 0u; s >>= 1u) {\n    if (li < s) {\n      red[li] += red[li + s];\n      red2[li] += red2[li + s];\n    }\n    workgroupBarrier();\n  }\n  let total = vec2f(red[0], red2[0]);\n  workgroupBarrier();\n  return total;\n}\n\nfn chunk_id(wg: vec3u, nwg: vec3u) -> u32 {\n  return wg.y * nwg.x + wg.x;\n}\n";
// shaders/optim_stats.wgsl?raw
var optim_stats_default = "// Per-tensor update-to-weight ratios ‖Δp‖ / ‖p‖ (from AdamW's per-chunk sums) and the totals,\n// into the step's ring slot; zeros when the step was halted (AdamW did not run).\n// (requires optim_common.wgsl)\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<uniform> stp: Step;\n@group(0) @binding(2) var<storage, read> table: array<vec4<u32>>;\n@group(0) @binding(3) var<storage, read> work: array<f32>;\n@group(0) @binding(4) var<storage, read> state: State;\n@group(0) @binding(5) var<storage, read_write> ring: array<f32>;\n\nfn ratio(du: f32, pw: f32) -> f32 {\n  if (pw > 0.0) { return sqrt(du / pw); }\n  return 0.0;\n}\n\n@compute @workgroup_size(256)\nfn main(@builtin(local_invocation_index) li: u32) {\n  let ran = state.halt == 0u;\n  let base = stp.slot * prm.slot_size;\n  var du = 0.0;\n  var pw = 0.0;\n  for (var c = li; c < prm.n_chunks; c += WG) {\n    du += work[prm.n_chunks + 2u * c];\n    pw += work[prm.n_chunks + 2u * c + 1u];\n  }\n  let sums = wg_sum2(li, du, pw);\n  for (var t = li; t < prm.n_tensors; t += WG) {\n    let info = table[prm.n_chunks + t];\n    var a = 0.0;\n    var b = 0.0;\n    for (var c = info.z; c < info.z + info.w; c += 1u) {\n      a += work[prm.n_chunks + 2u * c];\n      b += work[prm.n_chunks + 2u * c + 1u];\n    }\n    ring[base + SLOT_HEAD + prm.n_tensors + t] = select(0.0, ratio(a, b), ran);\n  }\n  if (li == 0u) {\n    ring[base + 6u] = select(0.0, ratio(sums.x, sums.y), ran);\n    ring[base + 7u] = sqrt(sums.y);\n  }\n}\n";
// src/kernels/optim.ts
/** Elements per chunk: 256 threads × 16. Chunks never cross tensors. */
var CHUNK = 4096;
var PARAM_BYTES$1 = 64;
var params = {
	name: "params",
	kind: "uniform"
};
var step = {
	name: "step",
	kind: "uniform"
};
var sumsqKernel = defineKernel({
	name: "gradnorm.sumsq",
	code: optim_common_default + gradnorm_sumsq_default,
	entryPoint: "main",
	bindings: [
		params,
		{
			name: "G",
			kind: "read"
		},
		{
			name: "table",
			kind: "read"
		},
		{
			name: "work",
			kind: "rw"
		}
	],
	paramBytes: PARAM_BYTES$1,
	threads: 256
});
var finalizeKernel = defineKernel({
	name: "gradnorm.finalize",
	code: optim_common_default + gradnorm_finalize_default,
	entryPoint: "main",
	bindings: [
		params,
		step,
		{
			name: "table",
			kind: "read"
		},
		{
			name: "work",
			kind: "read"
		},
		{
			name: "losses",
			kind: "read"
		},
		{
			name: "state",
			kind: "rw"
		},
		{
			name: "ring",
			kind: "rw"
		}
	],
	paramBytes: PARAM_BYTES$1,
	threads: 256
});
var adamwKernel = defineKernel({
	name: "adamw",
	code: optim_common_default + adamw_default,
	entryPoint: "main",
	bindings: [
		params,
		step,
		{
			name: "P",
			kind: "rw"
		},
		{
			name: "G",
			kind: "rw"
		},
		{
			name: "M",
			kind: "rw"
		},
		{
			name: "V",
			kind: "rw"
		},
		{
			name: "table",
			kind: "read"
		},
		{
			name: "state",
			kind: "read"
		},
		{
			name: "work",
			kind: "rw"
		}
	],
	paramBytes: PARAM_BYTES$1,
	threads: 256
});
var sumsqRowsKernel = defineKernel({
	...sumsqKernel,
	name: "gradnorm.sumsq.rows",
	entryPoint: "main_rows",
	threads: 64
});
var adamwRowsKernel = defineKernel({
	...adamwKernel,
	name: "adamw.rows",
	entryPoint: "main_rows",
	threads: 64
});
var statsKernel = defineKernel({
	name: "optim.stats",
	code: optim_common_default + optim_stats_default,
	entryPoint: "main",
	bindings: [
		params,
		step,
		{
			name: "table",
			kind: "read"
		},
		{
			name: "work",
			kind: "read"
		},
		{
			name: "state",
			kind: "read"
		},
		{
			name: "ring",
			kind: "rw"
		}
	],
	paramBytes: PARAM_BYTES$1,
	threads: 256
});
defineKernel({
	name: "fill",
	code: fill_default,
	entryPoint: "main",
	bindings: [params, {
		name: "dst",
		kind: "rw"
	}],
	paramBytes: 16,
	threads: 256
});
function buildOptimTable(tensors) {
	const chunks = [];
	const infos = [];
	const f = /* @__PURE__ */ new Float32Array(1);
	const asU32 = (x) => {
		f[0] = x;
		return new Uint32Array(f.buffer)[0];
	};
	tensors.forEach((t, ti) => {
		const first = chunks.length;
		for (let s = 0; s < t.size; s += CHUNK) chunks.push([
			t.offset + s,
			Math.min(CHUNK, t.size - s),
			ti,
			0
		]);
		infos.push([
			asU32(t.lrMult),
			asU32(t.decay ? 1 : 0),
			first,
			chunks.length - first
		]);
	});
	const data = new Uint32Array((chunks.length + infos.length) * 4);
	[...chunks, ...infos].forEach((row, i) => data.set(row, i * 4));
	return {
		data,
		nChunks: chunks.length,
		nTensors: tensors.length,
		slotSize: 8 + 2 * tensors.length
	};
}
function packParams(h, l) {
	return new ParamWriter(PARAM_BYTES$1).u32(l.table.nChunks).u32(l.table.nTensors).u32(l.lossOff).u32(l.lossCount).f32(h.beta1).f32(h.beta2).f32(h.eps).f32(h.weightDecay).f32(h.gradClip).f32(h.divergeMargin).u32(l.table.slotSize).u32(l.ringSlots).u32(l.zeroGrads ? 1 : 0).u32(0).u32(0).u32(0).finish();
}
/**
* The four dispatches of one optimizer step, in order. Style 'gpu': a workgroup per chunk with a
* tree reduction; 'cpu': a thread per chunk summing in order.
*/
function optimizerStep(label, h, l, b, style = "gpu") {
	const p = packParams(h, l);
	const n = l.table.nChunks;
	const groups = style === "gpu" ? n : Math.ceil(n / 64);
	return [
		{
			kernel: style === "gpu" ? sumsqKernel : sumsqRowsKernel,
			label: `gradnorm.sumsq ${label} [${n} chunks]`,
			params: p,
			buffers: {
				G: b.G,
				table: b.table,
				work: b.work
			},
			workgroups: groups
		},
		{
			kernel: finalizeKernel,
			label: `gradnorm.finalize ${label}`,
			params: p,
			buffers: {
				step: b.step,
				table: b.table,
				work: b.work,
				losses: b.losses,
				state: b.state,
				ring: b.ring
			},
			workgroups: 1
		},
		{
			kernel: style === "gpu" ? adamwKernel : adamwRowsKernel,
			label: `adamw ${label} [${n} chunks]`,
			params: p,
			buffers: {
				step: b.step,
				P: b.P,
				G: b.G,
				M: b.M,
				V: b.V,
				table: b.table,
				state: b.state,
				work: b.work
			},
			workgroups: groups
		},
		{
			kernel: statsKernel,
			label: `optim.stats ${label}`,
			params: p,
			buffers: {
				step: b.step,
				table: b.table,
				work: b.work,
				state: b.state,
				ring: b.ring
			},
			workgroups: 1
		}
	];
}
/** Work buffer length in f32s: Σg² per chunk, then Σ Δp² and Σ p² per chunk. */
function workSize(table) {
	return 3 * table.nChunks;
}
/** The per-step uniform: step number (1-based), learning rate, AdamW bias corrections, ring slot. */
function packStep(stepNumber, lr, beta1, beta2, slot) {
	return new ParamWriter(32).u32(stepNumber).f32(lr).f32(1 - beta1 ** stepNumber).f32(Math.sqrt(1 - beta2 ** stepNumber)).u32(slot).u32(0).u32(0).u32(0).finish();
}
function decodeState(bytes) {
	const u = new Uint32Array(bytes, 0, 8);
	const f = new Float32Array(bytes, 0, 8);
	return {
		clip: f[0],
		halt: u[1],
		haltStep: u[2],
		firstLoss: f[3],
		haltLoss: f[5],
		haltNorm: f[6],
		lastStep: u[7]
	};
}
// src/gpu/arena.ts
function numel(shape) {
	return shape.reduce((a, b) => a * b, 1);
}
var ArenaLayout = class {
	/** @param alignElems alignment of every view's offset, in f32 elements (storage offset alignment / 4). */
	constructor(name, alignElems = 64) {
		this.name = name;
		this.alignElems = alignElems;
		this.views = /* @__PURE__ */ new Map();
		this.end = 0;
	}
	alloc(name, shape) {
		if (this.views.has(name)) throw new Error(`arena ${this.name}: view ${name} allocated twice`);
		for (const d of shape) if (!Number.isInteger(d) || d <= 0) throw new Error(`arena ${this.name}: view ${name} has bad shape [${shape.join(", ")}]`);
		const offset = Math.ceil(this.end / this.alignElems) * this.alignElems;
		const view = {
			name,
			offset,
			shape: [...shape],
			size: numel(shape)
		};
		this.end = offset + view.size;
		this.views.set(name, view);
		return view;
	}
	get(name) {
		const v = this.views.get(name);
		if (!v) throw new Error(`arena ${this.name}: no view named ${name}`);
		return v;
	}
	has(name) {
		return this.views.has(name);
	}
	all() {
		return [...this.views.values()];
	}
	/** Elements spanned by all views, padding included. */
	get size() {
		return Math.ceil(this.end / this.alignElems) * this.alignElems;
	}
	get bytes() {
		return this.size * 4;
	}
};
// src/model/shape.ts
var PRESETS = {
	/** Tests and CPU (SwiftShader). */
	tiny: {
		vocab: 256,
		dModel: 64,
		nLayer: 2,
		nHead: 2,
		context: 64
	},
	/** The default: trains in seconds to minutes on a laptop GPU. */
	classroom: {
		vocab: 256,
		dModel: 128,
		nLayer: 4,
		nHead: 4,
		context: 128
	},
	/** Karpathy's nanoGPT Shakespeare size, for strong GPUs. */
	nanogpt: {
		vocab: 256,
		dModel: 384,
		nLayer: 6,
		nHead: 6,
		context: 256
	}
};
/** The linear modules LoRA can adapt, with their [out, in] shapes. */
var LORA_TARGETS = [
	"q",
	"k",
	"v",
	"o",
	"fc",
	"proj"
];
function targetShape(s, t) {
	const d = s.dModel;
	if (t === "fc") return {
		out: 4 * d,
		in: d
	};
	if (t === "proj") return {
		out: d,
		in: 4 * d
	};
	return {
		out: d,
		in: d
	};
}
/** PyTorch module path of a target in block `layer` (the names model and adapter files use). */
function modulePath(layer, t) {
	return t === "fc" || t === "proj" ? `blocks.${layer}.mlp.${t}` : `blocks.${layer}.attn.${t}`;
}
function loraScaleOf(l) {
	return l.rsLora ? l.alpha / Math.sqrt(l.rank) : l.alpha / l.rank;
}
// src/model/params.ts
function linearInit(fanIn) {
	return {
		kind: "uniform",
		bound: 1 / Math.sqrt(fanIn)
	};
}
function drafts(s, lora) {
	const d = s.dModel;
	const out = [];
	const single = (name, shape, kind, layer, init) => ({
		name,
		shape,
		kind,
		layer,
		init,
		parts: [{
			name,
			at: 0,
			shape
		}]
	});
	out.push(single("tok_emb.weight", [s.vocab, d], "embedding", -1, {
		kind: "normal",
		std: 1
	}));
	out.push(single("pos_emb.weight", [s.context, d], "embedding", -1, {
		kind: "normal",
		std: 1
	}));
	for (let l = 0; l < s.nLayer; l++) {
		const b = `blocks.${l}`;
		out.push(single(`${b}.ln1.weight`, [d], "norm", l, {
			kind: "const",
			value: 1
		}));
		out.push(single(`${b}.ln1.bias`, [d], "norm", l, {
			kind: "const",
			value: 0
		}));
		out.push({
			name: `${b}.attn.qkv.weight`,
			shape: [3 * d, d],
			kind: "weight",
			layer: l,
			init: linearInit(d),
			parts: [
				"q",
				"k",
				"v"
			].map((p, i) => ({
				name: `${b}.attn.${p}.weight`,
				at: i * d * d,
				shape: [d, d]
			}))
		});
		out.push({
			name: `${b}.attn.qkv.bias`,
			shape: [3 * d],
			kind: "bias",
			layer: l,
			init: linearInit(d),
			parts: [
				"q",
				"k",
				"v"
			].map((p, i) => ({
				name: `${b}.attn.${p}.bias`,
				at: i * d,
				shape: [d]
			}))
		});
		out.push(single(`${b}.attn.o.weight`, [d, d], "weight", l, linearInit(d)));
		out.push(single(`${b}.attn.o.bias`, [d], "bias", l, linearInit(d)));
		out.push(single(`${b}.ln2.weight`, [d], "norm", l, {
			kind: "const",
			value: 1
		}));
		out.push(single(`${b}.ln2.bias`, [d], "norm", l, {
			kind: "const",
			value: 0
		}));
		out.push(single(`${b}.mlp.fc.weight`, [4 * d, d], "weight", l, linearInit(d)));
		out.push(single(`${b}.mlp.fc.bias`, [4 * d], "bias", l, linearInit(d)));
		out.push(single(`${b}.mlp.proj.weight`, [d, 4 * d], "weight", l, linearInit(4 * d)));
		out.push(single(`${b}.mlp.proj.bias`, [d], "bias", l, linearInit(4 * d)));
		if (lora) for (const t of LORA_TARGETS) {
			if (!lora.targets.includes(t)) continue;
			const { out: o, in: i } = targetShape(s, t);
			const m = modulePath(l, t);
			out.push({
				...single(`${m}.lora_A.weight`, [lora.rank, i], "lora_A", l, {
					kind: "normal",
					std: 1 / Math.sqrt(i)
				}),
				lora: "A"
			});
			out.push({
				...single(`${m}.lora_B.weight`, [o, lora.rank], "lora_B", l, {
					kind: "const",
					value: 0
				}),
				lora: "B"
			});
		}
	}
	out.push(single("ln_f.weight", [d], "norm", s.nLayer, {
		kind: "const",
		value: 1
	}));
	out.push(single("ln_f.bias", [d], "norm", s.nLayer, {
		kind: "const",
		value: 0
	}));
	out.push(single("head.weight", [s.vocab, d], "head", s.nLayer, linearInit(d)));
	return out;
}
function lrMultOf(v, s, scope) {
	let m = 1;
	if (scope.layerLrDecay !== 1) {
		const depth = v.layer >= s.nLayer ? 0 : v.layer < 0 ? s.nLayer : s.nLayer - 1 - v.layer;
		m *= scope.layerLrDecay ** depth;
	}
	if (v.kind === "embedding") m *= scope.embeddingLrMult;
	if (v.kind === "head") m *= scope.headLrMult;
	if (v.kind === "lora_B") m *= scope.loraBLrMult;
	return m;
}
function buildParamTable(s, scope) {
	const lora = scope.mode === "lora" ? scope.lora : null;
	if (scope.mode === "lora" && !lora) throw new Error("buildParamTable: mode lora needs a LoRA spec");
	const all = drafts(s, lora);
	const isTrainable = (v) => scope.mode === "lora" ? v.lora !== void 0 : true;
	const ordered = [...all.filter(isTrainable), ...all.filter((v) => !isTrainable(v))];
	const layout = new ArenaLayout("params", 64);
	const views = [];
	let trainableSize = 0;
	for (const v of ordered) {
		const at = layout.alloc(v.name, v.shape);
		const trainable = isTrainable(v);
		const decay = v.shape.length >= 2 || scope.decayNormAndBias;
		const { lora: _l, ...rest } = v;
		views.push({
			...rest,
			offset: at.offset,
			size: numel(v.shape),
			trainable,
			decay,
			lrMult: lrMultOf(v, s, scope)
		});
		if (trainable) trainableSize = at.offset + numel(v.shape);
	}
	const byName = new Map(views.map((v) => [v.name, v]));
	const files = /* @__PURE__ */ new Map();
	for (const view of views) for (const part of view.parts) files.set(part.name, {
		view,
		part
	});
	return {
		views,
		byName,
		files,
		trainableSize: Math.ceil(trainableSize / 64) * 64,
		size: layout.size,
		lora
	};
}
/** The trainable tensors in optimizer terms (chunked by buildOptimTable). */
function optimTensors(t) {
	return t.views.filter((v) => v.trainable).map((v) => ({
		name: v.name,
		offset: v.offset,
		size: v.size,
		lrMult: v.lrMult,
		decay: v.decay
	}));
}
function loraTargetsOf(t, layer) {
	return t.lora ? LORA_TARGETS.filter((x) => t.lora.targets.includes(x) && t.byName.has(`${modulePath(layer, x)}.lora_A.weight`)) : [];
}
// src/model/activations.ts
/** Which merged weight a LoRA target writes: q, k, v share the fused qkv block. */
function mergedName(layer, t) {
	return `merged.${layer}.${t === "q" || t === "k" || t === "v" ? "qkv" : t}`;
}
function planActivations(s, params, B, T, lossRows, training) {
	const d = s.dModel;
	const rows = B * T;
	const a = new ArenaLayout("activations", 64);
	for (let l = 0; l <= s.nLayer; l++) a.alloc(`x.${l}`, [rows, d]);
	for (let l = 0; l < s.nLayer; l++) {
		a.alloc(`h1.${l}`, [rows, d]);
		a.alloc(`mean1.${l}`, [rows]);
		a.alloc(`rstd1.${l}`, [rows]);
		a.alloc(`qkv.${l}`, [rows, 3 * d]);
		a.alloc(`att.${l}`, [rows, d]);
		a.alloc(`lse.${l}`, [B * s.nHead, T]);
		a.alloc(`x2.${l}`, [rows, d]);
		a.alloc(`h2.${l}`, [rows, d]);
		a.alloc(`mean2.${l}`, [rows]);
		a.alloc(`rstd2.${l}`, [rows]);
		a.alloc(`u.${l}`, [rows, 4 * d]);
		a.alloc(`g.${l}`, [rows, 4 * d]);
		for (const t of loraTargetsOf(params, l)) {
			const name = mergedName(l, t);
			if (!a.has(name)) {
				const shape = t === "q" || t === "k" || t === "v" ? [3 * d, d] : (({ out, in: i }) => [out, i])(targetShape(s, t));
				a.alloc(name, shape);
			}
			a.alloc(`lt.${l}.${t}`, [rows, params.lora.rank]);
			if (training) a.alloc(`lu.${l}.${t}`, [rows, params.lora.rank]);
		}
	}
	a.alloc("hf", [rows, d]);
	a.alloc("meanf", [rows]);
	a.alloc("rstdf", [rows]);
	a.alloc("logits", [rows, s.vocab]);
	if (training) {
		a.alloc("dres", [rows, d]);
		a.alloc("dh", [rows, d]);
		a.alloc("dqkv", [rows, 3 * d]);
		a.alloc("datt", [rows, d]);
		a.alloc("du", [rows, 4 * d]);
	}
	a.alloc("losses", [Math.max(1, lossRows)]);
	return {
		layout: a,
		B,
		T,
		rows,
		training
	};
}
// shaders/attention.wgsl?raw
var attention_default = "// Causal multi-head self-attention on a fused qkv tensor, flash-style (scores never stored).\n// Shapes: qkv [B·T, 3C] in X: q = cols [0, C), k = [C, 2C), v = [2C, 3C); head h uses cols h·D .. h·D+D\n//         out, dout [B·T, C] in X;  lse [B·H, T] in X;  dqkv [B·T, 3C] in X (written, not added)\n// forward:  one thread per query row, 64 rows per workgroup; K and V stream through workgroup\n//           memory 32 keys at a time with an online softmax; saves lse = max + log Σ exp.\n// backward: one dispatch, two jobs that only read shared inputs:\n//   dq job  (workgroups [0, NB)):   thread per query row i: dq_i = s·Σ_j P_ij (dP_ij - D_i) k_j\n//   dkv job (workgroups [NB, 2NB)): thread per key row j:  dk_j = s·Σ_i P_ij (dP_ij - D_i) q_i,\n//                                                          dv_j = Σ_i P_ij dO_i\n//   with P_ij = exp(s·q_i·k_j - lse_i), dP_ij = dO_i·v_j, D_i = dO_i·O_i, j ≤ i, s = 1/√D.\n// No atomics: every output row is owned by one thread.\n\nconst ROWS = 64u;   // query (or key) rows per workgroup\nconst TILE = 32u;   // keys (or queries) staged per step\nconst MAXD = 64u;   // largest head dimension\n\nstruct Params {\n  B: u32, T: u32, C: u32, H: u32,\n  D: u32, qkv_off: u32, out_off: u32, lse_off: u32,\n  dout_off: u32, dqkv_off: u32, scale: f32, _p0: u32,\n}\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<storage, read_write> X: array<f32>;\n\nvar<workgroup> tileA: array<f32, 2048>; // TILE × MAXD: keys (forward, dq) or queries (dkv)\nvar<workgroup> tileB: array<f32, 2048>; // TILE × MAXD: values (forward, dq) or dO rows (dkv)\nvar<workgroup> rowD: array<f32, 32>;    // dkv: D_i of the staged queries\nvar<workgroup> rowL: array<f32, 32>;    // dkv: lse_i of the staged queries\n\nfn q_index(b: u32, t: u32, h: u32) -> u32 { return prm.qkv_off + (b * prm.T + t) * 3u * prm.C + h * prm.D; }\nfn o_index(base: u32, b: u32, t: u32, h: u32) -> u32 { return base + (b * prm.T + t) * prm.C + h * prm.D; }\n\n// Stages rows [r0, r0 + TILE) of the qkv column block `col` (0 q, 1 k, 2 v) into tileA, and of\n// `colB` into tileB (colB 3 = dout instead of qkv). Rows past T are zero.\nfn stage(li: u32, b: u32, h: u32, r0: u32, col: u32, colB: u32) {\n  let D = prm.D;\n  for (var idx = li; idx < TILE * D; idx += ROWS) {\n    let r = idx / D;\n    let d = idx % D;\n    var a = 0.0;\n    var v = 0.0;\n    if (r0 + r < prm.T) {\n      a = X[q_index(b, r0 + r, h) + col * prm.C + d];\n      if (colB == 3u) { v = X[o_index(prm.dout_off, b, r0 + r, h) + d]; } else { v = X[q_index(b, r0 + r, h) + colB * prm.C + d]; }\n    }\n    tileA[r * MAXD + d] = a;\n    tileB[r * MAXD + d] = v;\n  }\n}\n\n@compute @workgroup_size(64)\nfn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let nqb = (prm.T + ROWS - 1u) / ROWS;\n  let id = wg.y * nwg.x + wg.x;\n  if (id >= prm.B * prm.H * nqb) { return; }\n  let bh = id / nqb;\n  let b = bh / prm.H;\n  let h = bh % prm.H;\n  let i0 = (id % nqb) * ROWS;\n  let i = i0 + li;\n  let D = prm.D;\n  let valid = i < prm.T;\n  var q: array<f32, MAXD>;\n  var o: array<f32, MAXD>;\n  if (valid) {\n    let qi = q_index(b, i, h);\n    for (var d = 0u; d < D; d += 1u) { q[d] = X[qi + d] * prm.scale; }\n  }\n  var m = -3.0e38;\n  var l = 0.0;\n  let last = min(prm.T, i0 + ROWS); // keys beyond the block's last query are masked for all\n  for (var j0 = 0u; j0 < last; j0 += TILE) {\n    stage(li, b, h, j0, 1u, 2u);\n    workgroupBarrier();\n    if (valid) {\n      let jn = min(TILE, i + 1u - min(i + 1u, j0));\n      for (var jj = 0u; jj < jn; jj += 1u) {\n        var s = 0.0;\n        for (var d = 0u; d < D; d += 1u) { s += q[d] * tileA[jj * MAXD + d]; }\n        if (s > m) {\n          let corr = exp(m - s);\n          l = l * corr + 1.0;\n          for (var d = 0u; d < D; d += 1u) { o[d] = o[d] * corr + tileB[jj * MAXD + d]; }\n          m = s;\n        } else {\n          let p = exp(s - m);\n          l += p;\n          for (var d = 0u; d < D; d += 1u) { o[d] += p * tileB[jj * MAXD + d]; }\n        }\n      }\n    }\n    workgroupBarrier();\n  }\n  if (valid) {\n    let oi = o_index(prm.out_off, b, i, h);\n    for (var d = 0u; d < D; d += 1u) { X[oi + d] = o[d] / l; }\n    X[prm.lse_off + bh * prm.T + i] = m + log(l);\n  }\n}\n\n@compute @workgroup_size(64)\nfn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let nqb = (prm.T + ROWS - 1u) / ROWS;\n  let NB = prm.B * prm.H * nqb;\n  let wid = wg.y * nwg.x + wg.x;\n  if (wid >= 2u * NB) { return; }\n  let is_dq = wid < NB;\n  let id = select(wid - NB, wid, is_dq);\n  let bh = id / nqb;\n  let b = bh / prm.H;\n  let h = bh % prm.H;\n  let r0 = (id % nqb) * ROWS;\n  let r = r0 + li; // this thread's query row (dq job) or key row (dkv job)\n  let D = prm.D;\n  let valid = r < prm.T;\n  let sc = prm.scale;\n\n  if (is_dq) {\n    var q: array<f32, MAXD>;\n    var dO: array<f32, MAXD>;\n    var dq: array<f32, MAXD>;\n    var Di = 0.0;\n    var lse = 0.0;\n    if (valid) {\n      let qi = q_index(b, r, h);\n      let oi = o_index(prm.out_off, b, r, h);\n      let gi = o_index(prm.dout_off, b, r, h);\n      for (var d = 0u; d < D; d += 1u) {\n        q[d] = X[qi + d];\n        dO[d] = X[gi + d];\n        Di += dO[d] * X[oi + d];\n      }\n      lse = X[prm.lse_off + bh * prm.T + r];\n    }\n    let last = min(prm.T, r0 + ROWS);\n    for (var j0 = 0u; j0 < last; j0 += TILE) {\n      stage(li, b, h, j0, 1u, 2u);\n      workgroupBarrier();\n      if (valid) {\n        let jn = min(TILE, r + 1u - min(r + 1u, j0));\n        for (var jj = 0u; jj < jn; jj += 1u) {\n          var s = 0.0;\n          var dp = 0.0;\n          for (var d = 0u; d < D; d += 1u) {\n            s += q[d] * tileA[jj * MAXD + d];\n            dp += dO[d] * tileB[jj * MAXD + d];\n          }\n          let p = exp(s * sc - lse);\n          let ds = p * (dp - Di);\n          for (var d = 0u; d < D; d += 1u) { dq[d] += ds * tileA[jj * MAXD + d]; }\n        }\n      }\n      workgroupBarrier();\n    }\n    if (valid) {\n      let qi = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + h * D;\n      for (var d = 0u; d < D; d += 1u) { X[qi + d] = dq[d] * sc; }\n    }\n    return;\n  }\n\n  // dkv job: key row r; queries i ≥ r stream through tileA (q) and tileB (dO).\n  var k: array<f32, MAXD>;\n  var v: array<f32, MAXD>;\n  var dk: array<f32, MAXD>;\n  var dv: array<f32, MAXD>;\n  if (valid) {\n    let ki = q_index(b, r, h) + prm.C;\n    for (var d = 0u; d < D; d += 1u) {\n      k[d] = X[ki + d];\n      v[d] = X[ki + prm.C + d];\n    }\n  }\n  for (var i0 = r0; i0 < prm.T; i0 += TILE) {\n    stage(li, b, h, i0, 0u, 3u);\n    if (li < TILE) {\n      let i = i0 + li;\n      var Dv = 0.0;\n      var lv = 0.0;\n      if (i < prm.T) {\n        let oi = o_index(prm.out_off, b, i, h);\n        let gi = o_index(prm.dout_off, b, i, h);\n        for (var d = 0u; d < D; d += 1u) { Dv += X[gi + d] * X[oi + d]; }\n        lv = X[prm.lse_off + bh * prm.T + i];\n      }\n      rowD[li] = Dv;\n      rowL[li] = lv;\n    }\n    workgroupBarrier();\n    if (valid) {\n      for (var ii = 0u; ii < TILE; ii += 1u) {\n        let i = i0 + ii;\n        if (i < r || i >= prm.T) { continue; }\n        var s = 0.0;\n        var dp = 0.0;\n        for (var d = 0u; d < D; d += 1u) {\n          s += tileA[ii * MAXD + d] * k[d];\n          dp += tileB[ii * MAXD + d] * v[d];\n        }\n        let p = exp(s * sc - rowL[ii]);\n        let ds = p * (dp - rowD[ii]);\n        for (var d = 0u; d < D; d += 1u) {\n          dv[d] += p * tileB[ii * MAXD + d];\n          dk[d] += ds * tileA[ii * MAXD + d];\n        }\n      }\n    }\n    workgroupBarrier();\n  }\n  if (valid) {\n    let ki = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + prm.C + h * D;\n    for (var d = 0u; d < D; d += 1u) {\n      X[ki + d] = dk[d] * sc;\n      X[ki + prm.C + d] = dv[d];\n    }\n  }\n}\n\n// ---- 'cpu' style: one thread per query (or key) row, keys and queries read straight from memory,\n// no workgroup memory or barriers. Workgroups of 64 rows over (b, h, row).\n\nfn row_of(wg: vec3u, nwg: vec3u, li: u32) -> u32 {\n  return (wg.y * nwg.x + wg.x) * ROWS + li;\n}\n\n@compute @workgroup_size(64)\nfn forward_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let id = row_of(wg, nwg, li);\n  if (id >= prm.B * prm.H * prm.T) { return; }\n  let i = id % prm.T;\n  let bh = id / prm.T;\n  let b = bh / prm.H;\n  let h = bh % prm.H;\n  let D = prm.D;\n  var q: array<f32, MAXD>;\n  var o: array<f32, MAXD>;\n  let qi = q_index(b, i, h);\n  for (var d = 0u; d < D; d += 1u) { q[d] = X[qi + d] * prm.scale; }\n  var m = -3.0e38;\n  var l = 0.0;\n  for (var j = 0u; j <= i; j += 1u) {\n    let kj = q_index(b, j, h) + prm.C;\n    var s = 0.0;\n    for (var d = 0u; d < D; d += 1u) { s += q[d] * X[kj + d]; }\n    let vj = kj + prm.C;\n    if (s > m) {\n      let corr = exp(m - s);\n      l = l * corr + 1.0;\n      for (var d = 0u; d < D; d += 1u) { o[d] = o[d] * corr + X[vj + d]; }\n      m = s;\n    } else {\n      let p = exp(s - m);\n      l += p;\n      for (var d = 0u; d < D; d += 1u) { o[d] += p * X[vj + d]; }\n    }\n  }\n  let oi = o_index(prm.out_off, b, i, h);\n  for (var d = 0u; d < D; d += 1u) { X[oi + d] = o[d] / l; }\n  X[prm.lse_off + bh * prm.T + i] = m + log(l);\n}\n\n// Rows [0, N): dq of query row; rows [N, 2N): dk, dv of key row (N = B·H·T). D_i = dO_i·O_i is\n// recomputed where needed (no cross-thread sharing).\n@compute @workgroup_size(64)\nfn backward_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let N = prm.B * prm.H * prm.T;\n  let gid = row_of(wg, nwg, li);\n  if (gid >= 2u * N) { return; }\n  let id = gid % N;\n  let r = id % prm.T;\n  let bh = id / prm.T;\n  let b = bh / prm.H;\n  let h = bh % prm.H;\n  let D = prm.D;\n  let sc = prm.scale;\n  if (gid < N) {\n    var dq: array<f32, MAXD>;\n    let qi = q_index(b, r, h);\n    let oi = o_index(prm.out_off, b, r, h);\n    let gi = o_index(prm.dout_off, b, r, h);\n    var Di = 0.0;\n    for (var d = 0u; d < D; d += 1u) { Di += X[gi + d] * X[oi + d]; }\n    let lse = X[prm.lse_off + bh * prm.T + r];\n    for (var j = 0u; j <= r; j += 1u) {\n      let kj = q_index(b, j, h) + prm.C;\n      let vj = kj + prm.C;\n      var s = 0.0;\n      var dp = 0.0;\n      for (var d = 0u; d < D; d += 1u) {\n        s += X[qi + d] * X[kj + d];\n        dp += X[gi + d] * X[vj + d];\n      }\n      let ds = exp(s * sc - lse) * (dp - Di);\n      for (var d = 0u; d < D; d += 1u) { dq[d] += ds * X[kj + d]; }\n    }\n    let out = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + h * D;\n    for (var d = 0u; d < D; d += 1u) { X[out + d] = dq[d] * sc; }\n    return;\n  }\n  var dk: array<f32, MAXD>;\n  var dv: array<f32, MAXD>;\n  let kj = q_index(b, r, h) + prm.C;\n  let vj = kj + prm.C;\n  for (var i = r; i < prm.T; i += 1u) {\n    let qi = q_index(b, i, h);\n    let oi = o_index(prm.out_off, b, i, h);\n    let gi = o_index(prm.dout_off, b, i, h);\n    var s = 0.0;\n    var dp = 0.0;\n    var Di = 0.0;\n    for (var d = 0u; d < D; d += 1u) {\n      s += X[qi + d] * X[kj + d];\n      dp += X[gi + d] * X[vj + d];\n      Di += X[gi + d] * X[oi + d];\n    }\n    let p = exp(s * sc - X[prm.lse_off + bh * prm.T + i]);\n    let ds = p * (dp - Di);\n    for (var d = 0u; d < D; d += 1u) {\n      dv[d] += p * X[gi + d];\n      dk[d] += ds * X[qi + d];\n    }\n  }\n  let out = prm.dqkv_off + (b * prm.T + r) * 3u * prm.C + prm.C + h * D;\n  for (var d = 0u; d < D; d += 1u) {\n    X[out + d] = dk[d] * sc;\n    X[out + prm.C + d] = dv[d];\n  }\n}\n";
var ROWS = 64;
var attentionForwardKernel = defineKernel({
	name: "attention.forward",
	code: attention_default,
	entryPoint: "forward",
	bindings: [{
		name: "params",
		kind: "uniform"
	}, {
		name: "X",
		kind: "rw"
	}],
	paramBytes: 48,
	threads: 64
});
var attentionBackwardKernel = defineKernel({
	...attentionForwardKernel,
	name: "attention.backward",
	entryPoint: "backward"
});
var attentionForwardRowsKernel = defineKernel({
	...attentionForwardKernel,
	name: "attention.forward.rows",
	entryPoint: "forward_rows"
});
var attentionBackwardRowsKernel = defineKernel({
	...attentionForwardKernel,
	name: "attention.backward.rows",
	entryPoint: "backward_rows"
});
function pack$1(a) {
	if (a.C % a.H !== 0) throw new Error(`attention: C = ${a.C} is not divisible by H = ${a.H}`);
	const D = a.C / a.H;
	if (D > 64) throw new Error(`attention: head dimension ${D} (C ${a.C} / H ${a.H}) exceeds 64`);
	return new ParamWriter(48).u32(a.B).u32(a.T).u32(a.C).u32(a.H).u32(D).u32(a.qkv).u32(a.out).u32(a.lse).u32(a.dout ?? 0).u32(a.dqkv ?? 0).f32(1 / Math.sqrt(D)).u32(0).finish();
}
/** Workgroups for one pass over all rows: 'gpu' has a workgroup per 64-row block of each (b, h). */
var blocks = (a, style) => style === "gpu" ? a.B * a.H * Math.ceil(a.T / ROWS) : Math.ceil(a.B * a.H * a.T / ROWS);
/** Style 'gpu': keys staged through workgroup memory; 'cpu': a thread per row, no barriers. */
function attentionForward(label, a, buffers, style = "gpu") {
	return {
		kernel: style === "gpu" ? attentionForwardKernel : attentionForwardRowsKernel,
		label: `attention.forward ${label} [B=${a.B} T=${a.T} C=${a.C} H=${a.H}]`,
		params: pack$1(a),
		buffers,
		workgroups: blocks(a, style)
	};
}
function attentionBackward(label, a, buffers, style = "gpu") {
	const kernel = style === "gpu" ? attentionBackwardKernel : attentionBackwardRowsKernel;
	const workgroups = style === "gpu" ? 2 * blocks(a, style) : Math.ceil(2 * a.B * a.H * a.T / ROWS);
	return {
		kernel,
		label: `attention.backward ${label} [B=${a.B} T=${a.T} C=${a.C} H=${a.H}]`,
		params: pack$1(a),
		buffers,
		workgroups
	};
}
// src/kernels/crossentropy.ts
var crossEntropyKernel = defineKernel({
	name: "crossentropy",
	code: tokens_fn_default + "// Fused softmax + cross-entropy over the vocabulary, and its gradient, in one pass per row.\n// Targets are the next bytes of the corpus windows: row r = b·T + t predicts token (b, t + 1).\n// Shapes: logits [R, V] in X (overwritten by dlogits when F_GRAD);  losses [R] in X.\n//   losses[r]  = logsumexp(logits[r]) - logits[r, target]\n//   dlogits[r] = (softmax(logits[r]) - onehot(target)) · grad_scale     (grad_scale = 1 / rows in the mean)\n// One workgroup of 64 threads per row; sums in a fixed order.\n// (requires tokens_fn.wgsl)\n\nconst WG = 64u;\nconst F_GRAD = 1u;\n\nstruct Params {\n  R: u32, V: u32, T: u32, win_off: u32,\n  logits_off: u32, loss_off: u32, grad_scale: f32, flags: u32,\n}\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<storage, read> corpus: array<u32>;\n@group(0) @binding(2) var<storage, read> windows: array<u32>;\n@group(0) @binding(3) var<storage, read_write> X: array<f32>;\n\nvar<workgroup> red: array<f32, 64>;\n\nfn wg_reduce(li: u32, v: f32, is_max: bool) -> f32 {\n  red[li] = v;\n  workgroupBarrier();\n  for (var s = WG / 2u; s > 0u; s >>= 1u) {\n    if (li < s) {\n      if (is_max) { red[li] = max(red[li], red[li + s]); } else { red[li] += red[li + s]; }\n    }\n    workgroupBarrier();\n  }\n  let out = red[0];\n  workgroupBarrier();\n  return out;\n}\n\n@compute @workgroup_size(64)\nfn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let r = wg.y * nwg.x + wg.x;\n  if (r >= prm.R) { return; }\n  let V = prm.V;\n  let row = prm.logits_off + r * V;\n  var mx = -3.0e38;\n  for (var v = li; v < V; v += WG) { mx = max(mx, X[row + v]); }\n  mx = wg_reduce(li, mx, true);\n  var s = 0.0;\n  for (var v = li; v < V; v += WG) { s += exp(X[row + v] - mx); }\n  s = wg_reduce(li, s, false);\n  let tgt = token_at(prm.win_off, r / prm.T, r % prm.T + 1u);\n  let lse = mx + log(s);\n  if (li == 0u) { X[prm.loss_off + r] = lse - X[row + tgt]; }\n  workgroupBarrier(); // every thread has read logits[target] before it is overwritten\n  if ((prm.flags & F_GRAD) != 0u) {\n    for (var v = li; v < V; v += WG) {\n      let p = exp(X[row + v] - lse);\n      X[row + v] = (p - select(0.0, 1.0, v == tgt)) * prm.grad_scale;\n    }\n  }\n}\n\n// 'cpu' style: one thread per row, no workgroup memory or barriers; workgroups of 64 rows.\n@compute @workgroup_size(64)\nfn main_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let r = (wg.y * nwg.x + wg.x) * WG + li;\n  if (r >= prm.R) { return; }\n  let V = prm.V;\n  let row = prm.logits_off + r * V;\n  var mx = -3.0e38;\n  for (var v = 0u; v < V; v += 1u) { mx = max(mx, X[row + v]); }\n  var s = 0.0;\n  for (var v = 0u; v < V; v += 1u) { s += exp(X[row + v] - mx); }\n  let tgt = token_at(prm.win_off, r / prm.T, r % prm.T + 1u);\n  let lse = mx + log(s);\n  X[prm.loss_off + r] = lse - X[row + tgt];\n  if ((prm.flags & F_GRAD) != 0u) {\n    for (var v = 0u; v < V; v += 1u) {\n      let p = exp(X[row + v] - lse);\n      X[row + v] = (p - select(0.0, 1.0, v == tgt)) * prm.grad_scale;\n    }\n  }\n}\n",
	entryPoint: "main",
	bindings: [
		{
			name: "params",
			kind: "uniform"
		},
		{
			name: "corpus",
			kind: "read"
		},
		{
			name: "windows",
			kind: "read"
		},
		{
			name: "X",
			kind: "rw"
		}
	],
	paramBytes: 32,
	threads: 64
});
var crossEntropyRowsKernel = defineKernel({
	...crossEntropyKernel,
	name: "crossentropy.rows",
	entryPoint: "main_rows"
});
/** Style 'gpu': a workgroup per row; 'cpu': a thread per row. */
function crossEntropy(label, a, buffers, style = "gpu") {
	const R = a.B * a.T;
	const params = new ParamWriter(32).u32(R).u32(a.V).u32(a.T).u32(a.winOff).u32(a.logits).u32(a.losses).f32(a.gradScale ?? 0).u32(a.gradScale === void 0 ? 0 : 1).finish();
	return {
		kernel: style === "gpu" ? crossEntropyKernel : crossEntropyRowsKernel,
		label: `crossentropy ${label} [${R}x${a.V}]`,
		params,
		buffers,
		workgroups: style === "gpu" ? R : Math.ceil(R / 64)
	};
}
// shaders/layernorm.wgsl?raw
var layernorm_default = "// LayerNorm over the last dimension (PyTorch nn.LayerNorm, biased variance, eps inside the root).\n// Shapes: x, y, dy, dx [R, C] row-major in X;  mean, rstd [R] in X;  w, b [C] in P;  dw, db [C] in G.\n//   forward:  y = (x - mean)·rstd·w + b, saving mean and rstd\n//   backward: g = dy·w, xhat = (x - mean)·rstd\n//             dx  = rstd·(g - mean(g) - xhat·mean(g·xhat))        (rows job, one workgroup per row)\n//             dw += Σ_r dy·xhat,  db += Σ_r dy                     (columns job, 16 columns per workgroup)\n// The two backward jobs only read, so they share one dispatch: workgroups [0, R) do rows, the\n// next ceil(C/16) do columns. Sums are in a fixed order (deterministic, no atomics).\n\nconst WG = 64u;\nconst F_ACCUM_DX = 1u;    // dx += ... (the residual stream's gradient is already in dx)\nconst F_PARAM_GRADS = 2u; // also run the columns job (w, b trainable)\n\nstruct Params {\n  R: u32, C: u32, x_off: u32, y_off: u32,\n  w_off: u32, b_off: u32, mean_off: u32, rstd_off: u32,\n  dy_off: u32, dx_off: u32, dw_off: u32, db_off: u32,\n  flags: u32, eps: f32, _p0: u32, _p1: u32,\n}\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<storage, read> P: array<f32>;\n@group(0) @binding(2) var<storage, read_write> X: array<f32>;\n@group(0) @binding(3) var<storage, read_write> G: array<f32>;\n\nvar<workgroup> red: array<f32, 64>;\nvar<workgroup> red2: array<f32, 64>;\n\n// Tree sum of `v` over the workgroup's 64 threads; every thread gets the total.\nfn wg_sum(li: u32, v: f32) -> f32 {\n  red[li] = v;\n  workgroupBarrier();\n  for (var s = WG / 2u; s > 0u; s >>= 1u) {\n    if (li < s) { red[li] += red[li + s]; }\n    workgroupBarrier();\n  }\n  let total = red[0];\n  workgroupBarrier();\n  return total;\n}\n\n// Two sums at once (one barrier sequence).\nfn wg_sum2(li: u32, a: f32, b: f32) -> vec2f {\n  red[li] = a;\n  red2[li] = b;\n  workgroupBarrier();\n  for (var s = WG / 2u; s > 0u; s >>= 1u) {\n    if (li < s) {\n      red[li] += red[li + s];\n      red2[li] += red2[li + s];\n    }\n    workgroupBarrier();\n  }\n  let total = vec2f(red[0], red2[0]);\n  workgroupBarrier();\n  return total;\n}\n\n@compute @workgroup_size(64)\nfn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let r = wg.y * nwg.x + wg.x;\n  if (r >= prm.R) { return; }\n  let C = prm.C;\n  let row = prm.x_off + r * C;\n  var s = 0.0;\n  for (var c = li; c < C; c += WG) { s += X[row + c]; }\n  let mean = wg_sum(li, s) / f32(C);\n  var q = 0.0;\n  for (var c = li; c < C; c += WG) {\n    let d = X[row + c] - mean;\n    q += d * d;\n  }\n  let rstd = inverseSqrt(wg_sum(li, q) / f32(C) + prm.eps);\n  let out = prm.y_off + r * C;\n  for (var c = li; c < C; c += WG) {\n    X[out + c] = (X[row + c] - mean) * rstd * P[prm.w_off + c] + P[prm.b_off + c];\n  }\n  if (li == 0u) {\n    X[prm.mean_off + r] = mean;\n    X[prm.rstd_off + r] = rstd;\n  }\n}\n\n@compute @workgroup_size(64)\nfn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let id = wg.y * nwg.x + wg.x;\n  let C = prm.C;\n  if (id < prm.R) {\n    let r = id;\n    let mean = X[prm.mean_off + r];\n    let rstd = X[prm.rstd_off + r];\n    var sg = 0.0;\n    var sgx = 0.0;\n    for (var c = li; c < C; c += WG) {\n      let g = X[prm.dy_off + r * C + c] * P[prm.w_off + c];\n      sg += g;\n      sgx += g * (X[prm.x_off + r * C + c] - mean) * rstd;\n    }\n    let sums = wg_sum2(li, sg, sgx);\n    let mg = sums.x / f32(C);\n    let mgx = sums.y / f32(C);\n    for (var c = li; c < C; c += WG) {\n      let i = r * C + c;\n      let xhat = (X[prm.x_off + i] - mean) * rstd;\n      var d = rstd * (X[prm.dy_off + i] * P[prm.w_off + c] - mg - xhat * mgx);\n      if ((prm.flags & F_ACCUM_DX) != 0u) { d += X[prm.dx_off + i]; }\n      X[prm.dx_off + i] = d;\n    }\n    return;\n  }\n  // Columns job: 16 columns × 4 row lanes per workgroup.\n  if ((prm.flags & F_PARAM_GRADS) == 0u) { return; }\n  let c0 = (id - prm.R) * 16u;\n  if (c0 >= C) { return; }\n  let c = c0 + (li % 16u);\n  let lane = li / 16u;\n  var dw = 0.0;\n  var db = 0.0;\n  if (c < C) {\n    for (var r = lane; r < prm.R; r += 4u) {\n      let dy = X[prm.dy_off + r * C + c];\n      dw += dy * (X[prm.x_off + r * C + c] - X[prm.mean_off + r]) * X[prm.rstd_off + r];\n      db += dy;\n    }\n  }\n  red[li] = dw;\n  red2[li] = db;\n  workgroupBarrier();\n  if (lane == 0u && c < C) {\n    let w = red[li] + red[li + 16u] + red[li + 32u] + red[li + 48u];\n    let b = red2[li] + red2[li + 16u] + red2[li + 32u] + red2[li + 48u];\n    G[prm.dw_off + c] += w;\n    G[prm.db_off + c] += b;\n  }\n}\n\n// ---- 'cpu' style: one thread per row (no workgroup memory, no barriers) -------------------------\n// forward_rows: workgroups of 64 rows.  backward_rows: workgroups [0, ceil(R/64)) do rows; the next\n// ceil(C/64) do dw, db with one thread per column summing every row in order.\n\n@compute @workgroup_size(64)\nfn forward_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let r = (wg.y * nwg.x + wg.x) * WG + li;\n  if (r >= prm.R) { return; }\n  let C = prm.C;\n  let row = prm.x_off + r * C;\n  var s = 0.0;\n  for (var c = 0u; c < C; c += 1u) { s += X[row + c]; }\n  let mean = s / f32(C);\n  var q = 0.0;\n  for (var c = 0u; c < C; c += 1u) {\n    let d = X[row + c] - mean;\n    q += d * d;\n  }\n  let rstd = inverseSqrt(q / f32(C) + prm.eps);\n  let out = prm.y_off + r * C;\n  for (var c = 0u; c < C; c += 1u) {\n    X[out + c] = (X[row + c] - mean) * rstd * P[prm.w_off + c] + P[prm.b_off + c];\n  }\n  X[prm.mean_off + r] = mean;\n  X[prm.rstd_off + r] = rstd;\n}\n\n@compute @workgroup_size(64)\nfn backward_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {\n  let id = wg.y * nwg.x + wg.x;\n  let C = prm.C;\n  let row_groups = (prm.R + WG - 1u) / WG;\n  if (id < row_groups) {\n    let r = id * WG + li;\n    if (r >= prm.R) { return; }\n    let mean = X[prm.mean_off + r];\n    let rstd = X[prm.rstd_off + r];\n    var sg = 0.0;\n    var sgx = 0.0;\n    for (var c = 0u; c < C; c += 1u) {\n      let g = X[prm.dy_off + r * C + c] * P[prm.w_off + c];\n      sg += g;\n      sgx += g * (X[prm.x_off + r * C + c] - mean) * rstd;\n    }\n    let mg = sg / f32(C);\n    let mgx = sgx / f32(C);\n    for (var c = 0u; c < C; c += 1u) {\n      let i = r * C + c;\n      let xhat = (X[prm.x_off + i] - mean) * rstd;\n      var d = rstd * (X[prm.dy_off + i] * P[prm.w_off + c] - mg - xhat * mgx);\n      if ((prm.flags & F_ACCUM_DX) != 0u) { d += X[prm.dx_off + i]; }\n      X[prm.dx_off + i] = d;\n    }\n    return;\n  }\n  if ((prm.flags & F_PARAM_GRADS) == 0u) { return; }\n  let c = (id - row_groups) * WG + li;\n  if (c >= C) { return; }\n  var dw = 0.0;\n  var db = 0.0;\n  for (var r = 0u; r < prm.R; r += 1u) {\n    let dy = X[prm.dy_off + r * C + c];\n    dw += dy * (X[prm.x_off + r * C + c] - X[prm.mean_off + r]) * X[prm.rstd_off + r];\n    db += dy;\n  }\n  G[prm.dw_off + c] += dw;\n  G[prm.db_off + c] += db;\n}\n";
// src/ref/layernorm.ts
var LN_EPS = 1e-5;
// src/kernels/layernorm.ts
var PARAM_BYTES = 64;
var F_ACCUM_DX = 1;
var F_PARAM_GRADS = 2;
var layerNormForwardKernel = defineKernel({
	name: "layernorm.forward",
	code: layernorm_default,
	entryPoint: "forward",
	bindings: [
		{
			name: "params",
			kind: "uniform"
		},
		{
			name: "P",
			kind: "read"
		},
		{
			name: "X",
			kind: "rw"
		}
	],
	paramBytes: PARAM_BYTES,
	threads: 64
});
var layerNormBackwardKernel = defineKernel({
	...layerNormForwardKernel,
	name: "layernorm.backward",
	entryPoint: "backward",
	bindings: [...layerNormForwardKernel.bindings, {
		name: "G",
		kind: "rw"
	}]
});
var layerNormForwardRowsKernel = defineKernel({
	...layerNormForwardKernel,
	name: "layernorm.forward.rows",
	entryPoint: "forward_rows"
});
var layerNormBackwardRowsKernel = defineKernel({
	...layerNormBackwardKernel,
	name: "layernorm.backward.rows",
	entryPoint: "backward_rows"
});
function pack(a, flags) {
	const w = new ParamWriter(PARAM_BYTES);
	w.u32(a.R).u32(a.C).u32(a.x).u32(a.y ?? 0);
	w.u32(a.w).u32(a.b ?? 0).u32(a.mean).u32(a.rstd);
	w.u32(a.dy ?? 0).u32(a.dx ?? 0).u32(a.paramGrads?.dw ?? 0).u32(a.paramGrads?.db ?? 0);
	w.u32(flags).f32(LN_EPS).u32(0).u32(0);
	return w.finish();
}
/** Style 'gpu': a workgroup per row; 'cpu': a thread per row. */
function layerNormForward(label, a, buffers, style = "gpu") {
	const kernel = style === "gpu" ? layerNormForwardKernel : layerNormForwardRowsKernel;
	const workgroups = style === "gpu" ? a.R : Math.ceil(a.R / 64);
	return {
		kernel,
		label: `layernorm.forward ${label} [${a.R}x${a.C}]`,
		params: pack(a, 0),
		buffers,
		workgroups
	};
}
function layerNormBackward(label, a, buffers, style = "gpu") {
	const flags = (a.accumulateDx ? F_ACCUM_DX : 0) | (a.paramGrads ? F_PARAM_GRADS : 0);
	const kernel = style === "gpu" ? layerNormBackwardKernel : layerNormBackwardRowsKernel;
	const workgroups = style === "gpu" ? a.R + (a.paramGrads ? Math.ceil(a.C / 16) : 0) : Math.ceil(a.R / 64) + (a.paramGrads ? Math.ceil(a.C / 64) : 0);
	return {
		kernel,
		label: `layernorm.backward ${label} [${a.R}x${a.C}]`,
		params: pack(a, flags),
		buffers,
		workgroups
	};
}
// shaders/matmul_direct.wgsl?raw
var matmul_direct_default = "// Direct matmul for CPU adapters (SwiftShader): no workgroup memory and no barriers, which are\n// costly there, and no buffer choice inside the k loop: the loop below is a template that\n// src/kernels/matmul.ts instantiates for every operand pair (SA, SB), SA in {P, X, ONE} (ONE: all\n// ones, for column sums) and SB in {P, X}, so each instance reads its buffers directly.\n// 8×8 threads, a 32×32 tile of C, 4×4 outputs per thread; out-of-range rows and columns are clamped\n// on load and dropped on store.\n// (requires gelu_fn.wgsl, matmul_common.wgsl)\n\nfn lda_P(i: u32) -> f32 { return P[i]; }\nfn lda_X(i: u32) -> f32 { return X[i]; }\nfn lda_ONE(i: u32) -> f32 { return 1.0; }\nfn ldb_P(i: u32) -> f32 { return P[i]; }\nfn ldb_X(i: u32) -> f32 { return X[i]; }\n\n// @template-begin\nfn direct_SA_SB(job: Job, m0: u32, n0: u32) -> mat4x4f {\n  let a0 = job.a_off + min(m0, job.M - 1u) * job.a_sm;\n  let a1 = job.a_off + min(m0 + 1u, job.M - 1u) * job.a_sm;\n  let a2 = job.a_off + min(m0 + 2u, job.M - 1u) * job.a_sm;\n  let a3 = job.a_off + min(m0 + 3u, job.M - 1u) * job.a_sm;\n  let b0 = job.b_off + min(n0, job.N - 1u) * job.b_sn;\n  let b1 = job.b_off + min(n0 + 1u, job.N - 1u) * job.b_sn;\n  let b2 = job.b_off + min(n0 + 2u, job.N - 1u) * job.b_sn;\n  let b3 = job.b_off + min(n0 + 3u, job.N - 1u) * job.b_sn;\n  var acc0 = vec4f(0.0);\n  var acc1 = vec4f(0.0);\n  var acc2 = vec4f(0.0);\n  var acc3 = vec4f(0.0);\n  var ka = 0u;\n  var kb = 0u;\n  for (var k = 0u; k < job.K; k += 1u) {\n    let b = vec4f(ldb_SB(b0 + kb), ldb_SB(b1 + kb), ldb_SB(b2 + kb), ldb_SB(b3 + kb));\n    acc0 = fma(vec4f(lda_SA(a0 + ka)), b, acc0);\n    acc1 = fma(vec4f(lda_SA(a1 + ka)), b, acc1);\n    acc2 = fma(vec4f(lda_SA(a2 + ka)), b, acc2);\n    acc3 = fma(vec4f(lda_SA(a3 + ka)), b, acc3);\n    ka += job.a_sk;\n    kb += job.b_sk;\n  }\n  return mat4x4f(acc0, acc1, acc2, acc3);\n}\n// @template-end\n\n@compute @workgroup_size(8, 8)\nfn main_direct(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {\n  let wid = wg.y * nwg.x + wg.x;\n  if (wid >= prm.total_wg) { return; }\n  let job = prm.jobs[find_job(wid)];\n  let tile = wid - job.wg_start;\n  let m0 = (tile / job.tiles_n) * 32u + lid.y * 4u;\n  let n0 = (tile % job.tiles_n) * 32u + lid.x * 4u;\n  if (m0 >= job.M || n0 >= job.N) { return; }\n  let a = select(job.a_buf, 2u, (job.flags & F_A_ONES) != 0u);\n  var acc = mat4x4f();\n  switch (a * 2u + job.b_buf) {\n    case 0u: { acc = direct_P_P(job, m0, n0); }\n    case 1u: { acc = direct_P_X(job, m0, n0); }\n    case 2u: { acc = direct_X_P(job, m0, n0); }\n    case 3u: { acc = direct_X_X(job, m0, n0); }\n    case 4u: { acc = direct_ONE_P(job, m0, n0); }\n    default: { acc = direct_ONE_X(job, m0, n0); }\n  }\n  store_row(job, m0, n0, 1u, acc[0]);\n  store_row(job, m0 + 1u, n0, 1u, acc[1]);\n  store_row(job, m0 + 2u, n0, 1u, acc[2]);\n  store_row(job, m0 + 3u, n0, 1u, acc[3]);\n}\n";
// shaders/matmul.wgsl?raw
var matmul_default = "// Tiled matmul for GPUs: 16×16 threads per workgroup, a 64×64 tile of C, A and B staged through\n// workgroup memory 16 k at a time, 4×4 outputs per thread in registers.\n// (requires gelu_fn.wgsl, matmul_common.wgsl)\n\nconst BM = 64u;\nconst BN = 64u;\nconst BK = 16u;\n\nvar<workgroup> As: array<f32, 1024>; // [BK][BM]\nvar<workgroup> Bs: array<f32, 1024>; // [BK][BN]\n\n@compute @workgroup_size(16, 16)\nfn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,\n        @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {\n  let wid = wg.y * nwg.x + wg.x;\n  if (wid >= prm.total_wg) { return; }\n  let job = prm.jobs[find_job(wid)];\n  let tile = wid - job.wg_start;\n  let m0 = (tile / job.tiles_n) * BM;\n  let n0 = (tile % job.tiles_n) * BN;\n  let tx = lid.x;\n  let ty = lid.y;\n\n  // acc[r] holds rows ty + 16·r, columns tx + 16·c (c = vector lane): constant indices only, so\n  // no per-access bounds clamps and the compiler keeps them in registers.\n  var acc0 = vec4f(0.0);\n  var acc1 = vec4f(0.0);\n  var acc2 = vec4f(0.0);\n  var acc3 = vec4f(0.0);\n  for (var k0 = 0u; k0 < job.K; k0 += BK) {\n    // A tile: 64 rows × 16 k. Consecutive threads walk the unit-stride dimension.\n    for (var i = 0u; i < 4u; i += 1u) {\n      let idx = li + i * 256u;\n      var m: u32;\n      var k: u32;\n      if (job.a_sk == 1u) { m = idx / BK; k = idx % BK; } else { m = idx % BM; k = idx / BM; }\n      var v = 0.0;\n      if (m0 + m < job.M && k0 + k < job.K) {\n        if ((job.flags & F_A_ONES) != 0u) {\n          v = 1.0;\n        } else {\n          v = ld(job.a_buf, job.a_off + (m0 + m) * job.a_sm + (k0 + k) * job.a_sk);\n        }\n      }\n      As[k * BM + m] = v;\n    }\n    // B tile: 16 k × 64 columns.\n    for (var i = 0u; i < 4u; i += 1u) {\n      let idx = li + i * 256u;\n      var n: u32;\n      var k: u32;\n      if (job.b_sn == 1u) { n = idx % BN; k = idx / BN; } else { n = idx / BK; k = idx % BK; }\n      var v = 0.0;\n      if (n0 + n < job.N && k0 + k < job.K) {\n        v = ld(job.b_buf, job.b_off + (k0 + k) * job.b_sk + (n0 + n) * job.b_sn);\n      }\n      Bs[k * BN + n] = v;\n    }\n    workgroupBarrier();\n    for (var k = 0u; k < BK; k += 1u) {\n      let ar = k * BM + ty;\n      let br = k * BN + tx;\n      let b = vec4f(Bs[br], Bs[br + 16u], Bs[br + 32u], Bs[br + 48u]);\n      acc0 = fma(vec4f(As[ar]), b, acc0);\n      acc1 = fma(vec4f(As[ar + 16u]), b, acc1);\n      acc2 = fma(vec4f(As[ar + 32u]), b, acc2);\n      acc3 = fma(vec4f(As[ar + 48u]), b, acc3);\n    }\n    workgroupBarrier();\n  }\n\n  store_row(job, m0 + ty, n0 + tx, 16u, acc0);\n  store_row(job, m0 + ty + 16u, n0 + tx, 16u, acc1);\n  store_row(job, m0 + ty + 32u, n0 + tx, 16u, acc2);\n  store_row(job, m0 + ty + 48u, n0 + tx, 16u, acc3);\n}\n\n";
// shaders/lib/gelu_fn.wgsl?raw
var gelu_fn_default = "// GELU, tanh approximation (PyTorch's gelu(approximate='tanh')):\n//   gelu(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))\n// tanh's argument is clamped: some backends compute tanh through exp and return NaN for large\n// inputs; tanh(±15) is ±1 in f32 anyway.\n\nconst GELU_C = 0.7978845608028654; // √(2/π)\nconst GELU_K = 0.044715;\n\nfn gelu_tanh_arg(x: f32) -> f32 {\n  return clamp(GELU_C * (x + GELU_K * x * x * x), -15.0, 15.0);\n}\n\nfn gelu(x: f32) -> f32 {\n  return 0.5 * x * (1.0 + tanh(gelu_tanh_arg(x)));\n}\n\n// d gelu / dx\nfn gelu_grad(x: f32) -> f32 {\n  let t = tanh(gelu_tanh_arg(x));\n  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x);\n}\n";
// shaders/lib/matmul_common.wgsl?raw
var matmul_common_default = "// Multi-job matmul: jobs, bindings and epilogue. One dispatch runs up to MAX_JOBS independent products, each\n//   C = alpha · op(A) · op(B)  [+ bias]  [+ D]  [→ GELU, pre-activation saved to E | · GELU'(E)]\n//   then C is stored, or added to (ACCUM: gradient accumulation).\n// Transposes are strides, so one kernel serves forward (x·Wᵀ), dX (dY·W) and dW (dYᵀ·X):\n//   op(A)[m, k] = buf[a_off + m·a_sm + k·a_sk]      op(A): [M, K]\n//   op(B)[k, n] = buf[b_off + k·b_sk + n·b_sn]      op(B): [K, N]\n//   C, D, E [M, N] row-major with row strides c_sm, d_sm, e_sm; bias [N] lives in P.\n// Buffers: 0 = P (parameters, read), 1 = X (activations, read_write), 2 = G (gradients, read_write).\n// Two kernels share this file's jobs and epilogue: matmul.wgsl (tiled, GPUs) and matmul_direct.wgsl\n// (no workgroup memory, CPU adapters). Jobs take consecutive workgroup ranges from wg_start.\n// (requires gelu_fn.wgsl)\n\nconst MAX_JOBS = 64u;\n\nconst F_BIAS = 1u;\nconst F_ACCUM = 2u;\nconst F_ADD_D = 4u;\nconst F_GELU = 8u;\nconst F_GELU_BWD = 16u;\nconst F_A_ONES = 32u; // op(A) is all ones (column sums: bias gradients)\n\nstruct Job {\n  M: u32, N: u32, K: u32, wg_start: u32,\n  tiles_n: u32, flags: u32, alpha: f32, bias_off: u32,\n  a_off: u32, a_sm: u32, a_sk: u32, a_buf: u32,\n  b_off: u32, b_sk: u32, b_sn: u32, b_buf: u32,\n  c_off: u32, c_sm: u32, c_buf: u32, e_off: u32,\n  d_off: u32, d_sm: u32, d_buf: u32, e_sm: u32,\n}\n\nstruct Params {\n  njobs: u32, total_wg: u32, _pad0: u32, _pad1: u32,\n  jobs: array<Job, MAX_JOBS>,\n}\n\n@group(0) @binding(0) var<uniform> prm: Params;\n@group(0) @binding(1) var<storage, read> P: array<f32>;\n@group(0) @binding(2) var<storage, read_write> X: array<f32>;\n@group(0) @binding(3) var<storage, read_write> G: array<f32>;\n\nfn ld(buf: u32, i: u32) -> f32 {\n  if (buf == 0u) { return P[i]; }\n  if (buf == 1u) { return X[i]; }\n  return G[i];\n}\n\nfn st(buf: u32, i: u32, v: f32) {\n  if (buf == 1u) { X[i] = v; } else { G[i] = v; }\n}\n\n\nfn find_job(wid: u32) -> u32 {\n  var j = 0u;\n  loop {\n    if (j + 1u >= prm.njobs) { break; }\n    if (wid < prm.jobs[j + 1u].wg_start) { break; }\n    j += 1u;\n  }\n  return j;\n}\n\n// Bias, addend, GELU (or its derivative), then store or accumulate: C[m, n] from alpha·(A·B)[m, n].\nfn epilogue(job: Job, m: u32, n: u32, prod: f32) {\n  var v = job.alpha * prod;\n  if ((job.flags & F_BIAS) != 0u) { v += P[job.bias_off + n]; }\n  if ((job.flags & F_ADD_D) != 0u) { v += ld(job.d_buf, job.d_off + m * job.d_sm + n); }\n  if ((job.flags & F_GELU) != 0u) {\n    X[job.e_off + m * job.e_sm + n] = v;\n    v = gelu(v);\n  }\n  if ((job.flags & F_GELU_BWD) != 0u) { v *= gelu_grad(X[job.e_off + m * job.e_sm + n]); }\n  let ci = job.c_off + m * job.c_sm + n;\n  if ((job.flags & F_ACCUM) != 0u) { v += ld(job.c_buf, ci); }\n  st(job.c_buf, ci, v);\n}\n\n// Stores a thread's 4×4 block: rows m0 + 16·r... (tiled) or m0 + r (direct), see callers.\nfn store_row(job: Job, m: u32, n0: u32, n_step: u32, row: vec4f) {\n  if (m >= job.M) { return; }\n  for (var c = 0u; c < 4u; c += 1u) {\n    let n = n0 + n_step * c;\n    if (n < job.N) { epilogue(job, m, n, row[c]); }\n  }\n}\n\n";
// src/gpu/wgsl.ts
function instantiate(code, params) {
	const m = /\/\/ @template-begin\n([\s\S]*?)\/\/ @template-end\n/.exec(code);
	if (!m) throw new Error("instantiate: no @template-begin/@template-end block");
	let combos = [{}];
	for (const [name, values] of Object.entries(params)) combos = combos.flatMap((c) => values.map((v) => ({
		...c,
		[name]: v
	})));
	const body = combos.map((c) => Object.entries(c).reduce((text, [name, v]) => text.replace(new RegExp(`(?<![A-Za-z0-9])${name}(?![A-Za-z0-9])`, "g"), v), m[1])).join("\n");
	return code.slice(0, m.index) + body + code.slice(m.index + m[0].length);
}
// src/kernels/matmul.ts
/** Which bound buffer an operand lives in: P parameters (read-only here), X activations and scratch, G gradients. */
var Buf = {
	P: 0,
	X: 1,
	G: 2
};
var MAX_JOBS$1 = 64;
var F_BIAS = 1;
var F_ACCUM = 2;
var F_ADD_D = 4;
var F_GELU = 8;
var F_GELU_BWD = 16;
var F_A_ONES = 32;
var matmulKernel = defineKernel({
	name: "matmul",
	code: gelu_fn_default + matmul_common_default + matmul_default,
	entryPoint: "main",
	bindings: [
		{
			name: "params",
			kind: "uniform"
		},
		{
			name: "P",
			kind: "read"
		},
		{
			name: "X",
			kind: "rw"
		},
		{
			name: "G",
			kind: "rw"
		}
	],
	paramBytes: 6160,
	threads: 256
});
var matmulDirectKernel = defineKernel({
	...matmulKernel,
	name: "matmul.direct",
	code: gelu_fn_default + matmul_common_default + instantiate(matmul_direct_default, {
		SA: [
			"P",
			"X",
			"ONE"
		],
		SB: ["P", "X"]
	}),
	entryPoint: "main_direct",
	threads: 64
});
var TILES = {
	gpu: 64,
	cpu: 32
};
function tilesOf(job, style = "gpu") {
	const t = TILES[style];
	return Math.ceil(job.M / t) * Math.ceil(job.N / t);
}
function checkJob(job, label) {
	for (const k of [
		"M",
		"N",
		"K"
	]) {
		const min = k === "K" && job.d ? 0 : 1;
		if (!Number.isInteger(job[k]) || job[k] < min) throw new Error(`${label}: ${k} = ${job[k]} must be an integer ≥ ${min}`);
	}
	if (job.gelu && job.geluGrad) throw new Error(`${label}: gelu and geluGrad are exclusive`);
}
/** Packs jobs into one matmul dispatch. */
function matmulDispatch(label, jobs, buffers, style = "gpu") {
	const tile = TILES[style];
	if (jobs.length < 1 || jobs.length > MAX_JOBS$1) throw new Error(`${label}: ${jobs.length} jobs; 1..${MAX_JOBS$1} allowed`);
	const w = new ParamWriter(matmulKernel.paramBytes);
	let total = 0;
	const starts = jobs.map((job) => {
		checkJob(job, label);
		const s = total;
		total += tilesOf(job, style);
		return s;
	});
	w.u32(jobs.length).u32(total).u32(0).u32(0);
	jobs.forEach((job, i) => {
		let flags = 0;
		if (job.bias !== void 0) flags |= F_BIAS;
		if (job.accumulate) flags |= F_ACCUM;
		if (job.d) flags |= F_ADD_D;
		if (job.gelu) flags |= F_GELU;
		if (job.geluGrad) flags |= F_GELU_BWD;
		if (job.a.ones) flags |= F_A_ONES;
		const e = job.gelu ?? job.geluGrad;
		w.u32(job.M).u32(job.N).u32(job.K).u32(starts[i]);
		w.u32(Math.ceil(job.N / tile)).u32(flags).f32(job.alpha ?? 1).u32(job.bias ?? 0);
		w.u32(job.a.off).u32(job.a.sm).u32(job.a.sk).u32(job.a.buf);
		w.u32(job.b.off).u32(job.b.sk).u32(job.b.sn).u32(job.b.buf);
		w.u32(job.c.off).u32(job.c.sm).u32(job.c.buf).u32(e?.off ?? 0);
		w.u32(job.d?.off ?? 0).u32(job.d?.sm ?? 0).u32(job.d?.buf ?? 0).u32(e?.sm ?? 0);
	});
	const desc = jobs.map((j) => `${j.M}x${j.N}x${j.K}`).join(",");
	return {
		kernel: style === "gpu" ? matmulKernel : matmulDirectKernel,
		label: `matmul ${label} [${desc}]`,
		params: w.finish(),
		buffers,
		workgroups: total
	};
}
/** y[rows, out] = x[rows, in] · Wᵀ (+ bias) (+ d). x and y row-major in X. */
function linearForward(s, x, w, y, extra = {}) {
	return {
		M: s.rows,
		N: s.out,
		K: s.in,
		a: {
			buf: Buf.X,
			off: x,
			sm: s.in,
			sk: 1
		},
		b: {
			buf: w.buf,
			off: w.off,
			sk: 1,
			sn: s.in
		},
		c: {
			buf: Buf.X,
			off: y,
			sm: s.out
		},
		...extra
	};
}
/** dx[rows, in] = dy[rows, out] · W (accumulate to add into dx). */
function linearBackwardInput(s, dy, w, dx, extra = {}) {
	return {
		M: s.rows,
		N: s.in,
		K: s.out,
		a: {
			buf: Buf.X,
			off: dy,
			sm: s.out,
			sk: 1
		},
		b: {
			buf: w.buf,
			off: w.off,
			sk: s.in,
			sn: 1
		},
		c: {
			buf: Buf.X,
			off: dx,
			sm: s.in
		},
		...extra
	};
}
/** dW[out, in] += alpha · dyᵀ · x, written to `dw` in G (or X for scratch). */
function linearBackwardWeight(s, dy, x, dw, alpha = 1, accumulate = true) {
	return {
		M: s.out,
		N: s.in,
		K: s.rows,
		a: {
			buf: Buf.X,
			off: dy,
			sm: 1,
			sk: s.out
		},
		b: {
			buf: Buf.X,
			off: x,
			sk: s.in,
			sn: 1
		},
		c: {
			buf: dw.buf,
			off: dw.off,
			sm: s.in
		},
		alpha,
		accumulate
	};
}
/** db[out] += Σ_rows dy[rows, out]: a [1, out] product of a ones row with dy. */
function biasGrad(rows, out, dy, db, accumulate = true) {
	return {
		M: 1,
		N: out,
		K: rows,
		a: {
			buf: Buf.X,
			off: 0,
			sm: 0,
			sk: 0,
			ones: true
		},
		b: {
			buf: Buf.X,
			off: dy,
			sk: out,
			sn: 1
		},
		c: {
			buf: Buf.G,
			off: db,
			sm: out
		},
		accumulate
	};
}
// src/kernels/lora.ts
/** W'[out, in] = W + s·B·A. */
function loraMergeJob(s, o) {
	return {
		M: s.out,
		N: s.in,
		K: s.rank,
		a: {
			buf: Buf.P,
			off: o.b,
			sm: s.rank,
			sk: 1
		},
		b: {
			buf: Buf.P,
			off: o.a,
			sk: s.in,
			sn: 1
		},
		c: {
			buf: Buf.X,
			off: o.merged,
			sm: s.in
		},
		d: {
			buf: Buf.P,
			off: o.w,
			sm: s.in
		},
		alpha: s.scale
	};
}
/** dA[r, in] += s·uᵀ·x (after the dispatch that wrote u); dA is an offset in G. */
function loraGradAJob(s, u, x, dA) {
	return {
		M: s.rank,
		N: s.in,
		K: s.rows,
		a: {
			buf: Buf.X,
			off: u,
			sm: 1,
			sk: s.rank
		},
		b: {
			buf: Buf.X,
			off: x,
			sk: s.in,
			sn: 1
		},
		c: {
			buf: Buf.G,
			off: dA,
			sm: s.in
		},
		alpha: s.scale,
		accumulate: true
	};
}
// src/model/graph.ts
var MAX_JOBS = 64;
function p$1(g, name) {
	const v = g.params.byName.get(name);
	if (!v) throw new Error(`graph: no parameter ${name}`);
	return v.offset;
}
function x(g, name) {
	return g.acts.layout.get(name).offset;
}
function trainable(g, name) {
	return g.params.byName.get(name)?.trainable ?? false;
}
/** Where a module's (possibly merged) weight is read from. */
function weight(g, l, module) {
	const targets = loraTargetsOf(g.params, l);
	if (module === "qkv" ? targets.some((t) => t === "q" || t === "k" || t === "v") : targets.includes(module)) return {
		buf: Buf.X,
		off: x(g, mergedName(l, module))
	};
	const path = module === "qkv" ? `blocks.${l}.attn.qkv` : modulePath(l, module);
	return {
		buf: Buf.P,
		off: p$1(g, `${path}.weight`)
	};
}
function loraShape(g, t) {
	const { out, in: i } = targetShape(g.shape, t);
	return {
		rows: g.acts.rows,
		in: i,
		out,
		rank: g.params.lora.rank,
		scale: loraScaleOf(g.params.lora)
	};
}
/** Splits jobs into dispatches of at most MAX_JOBS. */
function matmuls(label, jobs, g) {
	const out = [];
	for (let i = 0; i < jobs.length; i += MAX_JOBS) out.push(matmulDispatch(jobs.length > MAX_JOBS ? `${label} part ${i / MAX_JOBS + 1}` : label, jobs.slice(i, i + MAX_JOBS), g.bufs, g.style));
	return out;
}
/** The input activation of a LoRA target in block l (what t = input·Aᵀ reads). */
function loraInput(g, l, t) {
	if (t === "q" || t === "k" || t === "v") return x(g, `h1.${l}`);
	if (t === "o") return x(g, `att.${l}`);
	if (t === "fc") return x(g, `h2.${l}`);
	return x(g, `g.${l}`);
}
function loraDownJobs(g, l, ts) {
	return ts.map((t) => linearForward({
		rows: g.acts.rows,
		in: targetShape(g.shape, t).in,
		out: g.params.lora.rank
	}, loraInput(g, l, t), {
		buf: Buf.P,
		off: p$1(g, `${modulePath(l, t)}.lora_A.weight`)
	}, x(g, `lt.${l}.${t}`)));
}
/** Per-step merge W' = W + s·B·A of every adapted module (all layers). */
function mergeDispatches(g) {
	const jobs = [];
	const d = g.shape.dModel;
	for (let l = 0; l < g.shape.nLayer; l++) for (const t of loraTargetsOf(g.params, l)) {
		const m = modulePath(l, t);
		const qkvRow = t === "q" ? 0 : t === "k" ? 1 : t === "v" ? 2 : -1;
		const w = qkvRow >= 0 ? p$1(g, `blocks.${l}.attn.qkv.weight`) + qkvRow * d * d : p$1(g, `${m}.weight`);
		const merged = x(g, mergedName(l, t)) + (qkvRow >= 0 ? qkvRow * d * d : 0);
		jobs.push(loraMergeJob(loraShape(g, t), {
			w,
			a: p$1(g, `${m}.lora_A.weight`),
			b: p$1(g, `${m}.lora_B.weight`),
			merged
		}));
	}
	return jobs.length ? matmuls("lora merge", jobs, g) : [];
}
/**
* Once per program: q, k, v rows of a merged qkv block that no adapter touches hold W itself.
* A K = 0 product leaves C = D, a plain copy through the matmul epilogue.
*/
function copyFrozenDispatches(g) {
	const jobs = [];
	const d = g.shape.dModel;
	for (let l = 0; l < g.shape.nLayer; l++) {
		const ts = loraTargetsOf(g.params, l);
		if (!ts.some((t) => t === "q" || t === "k" || t === "v")) continue;
		[
			"q",
			"k",
			"v"
		].forEach((t, row) => {
			if (ts.includes(t)) return;
			const w = p$1(g, `blocks.${l}.attn.qkv.weight`) + row * d * d;
			jobs.push({
				M: d,
				N: d,
				K: 0,
				a: {
					buf: Buf.P,
					off: 0,
					sm: 0,
					sk: 0
				},
				b: {
					buf: Buf.P,
					off: 0,
					sk: 0,
					sn: 0
				},
				c: {
					buf: Buf.X,
					off: x(g, mergedName(l, t)) + row * d * d,
					sm: d
				},
				d: {
					buf: Buf.P,
					off: w,
					sm: d
				}
			});
		});
	}
	return jobs.length ? matmuls("copy frozen qkv rows", jobs, g) : [];
}
function forwardDispatches(g, o) {
	const { shape: s, acts } = g;
	const d = s.dModel;
	const { B, T, rows } = acts;
	const out = [];
	const bufs = g.bufs;
	out.push(embeddingForward("tok+pos", {
		B,
		T,
		C: d,
		V: s.vocab,
		winOff: o.winOff,
		x: x(g, "x.0"),
		wte: p$1(g, "tok_emb.weight"),
		wpe: p$1(g, "pos_emb.weight")
	}, bufs));
	for (let l = 0; l < s.nLayer; l++) {
		const b = `blocks.${l}`;
		const ts = loraTargetsOf(g.params, l);
		const lin = (i, o2) => ({
			rows,
			in: i,
			out: o2
		});
		out.push(layerNormForward(`ln1 L${l}`, {
			R: rows,
			C: d,
			x: x(g, `x.${l}`),
			y: x(g, `h1.${l}`),
			w: p$1(g, `${b}.ln1.weight`),
			b: p$1(g, `${b}.ln1.bias`),
			mean: x(g, `mean1.${l}`),
			rstd: x(g, `rstd1.${l}`)
		}, bufs, g.style));
		out.push(...matmuls(`qkv L${l}`, [linearForward(lin(d, 3 * d), x(g, `h1.${l}`), weight(g, l, "qkv"), x(g, `qkv.${l}`), { bias: p$1(g, `${b}.attn.qkv.bias`) }), ...loraDownJobs(g, l, ts.filter((t) => t === "q" || t === "k" || t === "v"))], g));
		out.push(attentionForward(`L${l}`, {
			B,
			T,
			C: d,
			H: s.nHead,
			qkv: x(g, `qkv.${l}`),
			out: x(g, `att.${l}`),
			lse: x(g, `lse.${l}`)
		}, bufs, g.style));
		out.push(...matmuls(`o L${l}`, [linearForward(lin(d, d), x(g, `att.${l}`), weight(g, l, "o"), x(g, `x2.${l}`), {
			bias: p$1(g, `${b}.attn.o.bias`),
			d: {
				buf: Buf.X,
				off: x(g, `x.${l}`),
				sm: d
			}
		}), ...loraDownJobs(g, l, ts.filter((t) => t === "o"))], g));
		out.push(layerNormForward(`ln2 L${l}`, {
			R: rows,
			C: d,
			x: x(g, `x2.${l}`),
			y: x(g, `h2.${l}`),
			w: p$1(g, `${b}.ln2.weight`),
			b: p$1(g, `${b}.ln2.bias`),
			mean: x(g, `mean2.${l}`),
			rstd: x(g, `rstd2.${l}`)
		}, bufs, g.style));
		out.push(...matmuls(`fc L${l}`, [linearForward(lin(d, 4 * d), x(g, `h2.${l}`), weight(g, l, "fc"), x(g, `g.${l}`), {
			bias: p$1(g, `${b}.mlp.fc.bias`),
			gelu: {
				off: x(g, `u.${l}`),
				sm: 4 * d
			}
		}), ...loraDownJobs(g, l, ts.filter((t) => t === "fc"))], g));
		out.push(...matmuls(`proj L${l}`, [linearForward(lin(4 * d, d), x(g, `g.${l}`), weight(g, l, "proj"), x(g, `x.${l + 1}`), {
			bias: p$1(g, `${b}.mlp.proj.bias`),
			d: {
				buf: Buf.X,
				off: x(g, `x2.${l}`),
				sm: d
			}
		}), ...loraDownJobs(g, l, ts.filter((t) => t === "proj"))], g));
	}
	out.push(layerNormForward("ln_f", {
		R: rows,
		C: d,
		x: x(g, `x.${s.nLayer}`),
		y: x(g, "hf"),
		w: p$1(g, "ln_f.weight"),
		b: p$1(g, "ln_f.bias"),
		mean: x(g, "meanf"),
		rstd: x(g, "rstdf")
	}, bufs, g.style));
	out.push(...matmuls("head", [linearForward({
		rows,
		in: d,
		out: s.vocab
	}, x(g, "hf"), {
		buf: Buf.P,
		off: p$1(g, "head.weight")
	}, x(g, "logits"))], g));
	if (!o.logitsOnly) out.push(crossEntropy("loss", {
		B,
		T,
		V: s.vocab,
		winOff: o.winOff,
		logits: x(g, "logits"),
		losses: x(g, "losses") + o.lossOff,
		gradScale: o.gradScale
	}, bufs, g.style));
	return out;
}
/** dX (and, for trainable weights, dW and db) jobs of one linear module; LoRA jobs for adapted ones. */
function linearBackwardJobs(g, l, module, dy, input, dx, shape, extra = {}) {
	const rows = g.acts.rows;
	const s = {
		rows,
		...shape
	};
	const path = module === "qkv" ? `blocks.${l}.attn.qkv` : modulePath(l, module);
	const jobs = [linearBackwardInput(s, dy, weight(g, l, module), dx, extra)];
	if (trainable(g, `${path}.weight`)) {
		jobs.push(linearBackwardWeight(s, dy, input, {
			buf: Buf.G,
			off: p$1(g, `${path}.weight`)
		}));
		jobs.push(biasGrad(rows, shape.out, dy, p$1(g, `${path}.bias`)));
	}
	const d = g.shape.dModel;
	const ts = loraTargetsOf(g.params, l).filter((t) => module === "qkv" ? t === "q" || t === "k" || t === "v" : t === module);
	for (const t of ts) {
		const ls = loraShape(g, t);
		const col = module === "qkv" ? (t === "q" ? 0 : t === "k" ? 1 : 2) * d : 0;
		const m = modulePath(l, t);
		jobs.push({
			M: rows,
			N: ls.rank,
			K: ls.out,
			a: {
				buf: Buf.X,
				off: dy + col,
				sm: shape.out,
				sk: 1
			},
			b: {
				buf: Buf.P,
				off: p$1(g, `${m}.lora_B.weight`),
				sk: ls.rank,
				sn: 1
			},
			c: {
				buf: Buf.X,
				off: x(g, `lu.${l}.${t}`),
				sm: ls.rank
			}
		});
		jobs.push({
			M: ls.out,
			N: ls.rank,
			K: rows,
			a: {
				buf: Buf.X,
				off: dy + col,
				sm: 1,
				sk: shape.out
			},
			b: {
				buf: Buf.X,
				off: x(g, `lt.${l}.${t}`),
				sk: ls.rank,
				sn: 1
			},
			c: {
				buf: Buf.G,
				off: p$1(g, `${m}.lora_B.weight`),
				sm: ls.rank
			},
			alpha: ls.scale,
			accumulate: true
		});
	}
	return jobs;
}
function lnBackward(g, label, prefix, xName, mean, rstd, accumulateDx) {
	const d = g.shape.dModel;
	const grads = trainable(g, `${prefix}.weight`) ? {
		dw: p$1(g, `${prefix}.weight`),
		db: p$1(g, `${prefix}.bias`)
	} : void 0;
	return layerNormBackward(label, {
		R: g.acts.rows,
		C: d,
		x: x(g, xName),
		w: p$1(g, `${prefix}.weight`),
		mean: x(g, mean),
		rstd: x(g, rstd),
		dy: x(g, "dh"),
		dx: x(g, "dres"),
		accumulateDx,
		paramGrads: grads
	}, g.bufs, g.style);
}
/** Backward of one micro-batch (after forwardDispatches with gradScale). Gradients add into G. */
function backwardDispatches(g, winOff) {
	const { shape: s, acts } = g;
	const d = s.dModel;
	const { B, T, rows } = acts;
	const out = [];
	const head = [linearBackwardInput({
		rows,
		in: d,
		out: s.vocab
	}, x(g, "logits"), {
		buf: Buf.P,
		off: p$1(g, "head.weight")
	}, x(g, "dh"))];
	if (trainable(g, "head.weight")) head.push(linearBackwardWeight({
		rows,
		in: d,
		out: s.vocab
	}, x(g, "logits"), x(g, "hf"), {
		buf: Buf.G,
		off: p$1(g, "head.weight")
	}));
	out.push(...matmuls("head backward", head, g));
	out.push(lnBackward(g, "ln_f", "ln_f", `x.${s.nLayer}`, "meanf", "rstdf", false));
	for (let l = s.nLayer - 1; l >= 0; l--) {
		const b = `blocks.${l}`;
		out.push(...matmuls(`proj backward L${l}`, linearBackwardJobs(g, l, "proj", x(g, "dres"), x(g, `g.${l}`), x(g, "du"), {
			in: 4 * d,
			out: d
		}, { geluGrad: {
			off: x(g, `u.${l}`),
			sm: 4 * d
		} }), g));
		out.push(...matmuls(`fc backward L${l}`, linearBackwardJobs(g, l, "fc", x(g, "du"), x(g, `h2.${l}`), x(g, "dh"), {
			in: d,
			out: 4 * d
		}), g));
		out.push(lnBackward(g, `ln2 L${l}`, `${b}.ln2`, `x2.${l}`, `mean2.${l}`, `rstd2.${l}`, true));
		out.push(...matmuls(`o backward L${l}`, linearBackwardJobs(g, l, "o", x(g, "dres"), x(g, `att.${l}`), x(g, "datt"), {
			in: d,
			out: d
		}), g));
		out.push(attentionBackward(`L${l}`, {
			B,
			T,
			C: d,
			H: s.nHead,
			qkv: x(g, `qkv.${l}`),
			out: x(g, `att.${l}`),
			lse: x(g, `lse.${l}`),
			dout: x(g, "datt"),
			dqkv: x(g, "dqkv")
		}, g.bufs, g.style));
		out.push(...matmuls(`qkv backward L${l}`, linearBackwardJobs(g, l, "qkv", x(g, "dqkv"), x(g, `h1.${l}`), x(g, "dh"), {
			in: d,
			out: 3 * d
		}), g));
		out.push(lnBackward(g, `ln1 L${l}`, `${b}.ln1`, `x.${l}`, `mean1.${l}`, `rstd1.${l}`, true));
	}
	const dwte = trainable(g, "tok_emb.weight") ? p$1(g, "tok_emb.weight") : void 0;
	const dwpe = trainable(g, "pos_emb.weight") ? p$1(g, "pos_emb.weight") : void 0;
	if (dwte !== void 0 || dwpe !== void 0) out.push(embeddingBackward("tok+pos", {
		B,
		T,
		C: d,
		V: s.vocab,
		winOff,
		dx: x(g, "dres"),
		dwte,
		dwpe
	}, g.bufs, g.style));
	const aJobs = [];
	for (let l = 0; l < s.nLayer; l++) for (const t of loraTargetsOf(g.params, l)) {
		const ls = loraShape(g, t);
		aJobs.push(loraGradAJob(ls, x(g, `lu.${l}.${t}`), loraInput(g, l, t), p$1(g, `${modulePath(l, t)}.lora_A.weight`)));
	}
	if (aJobs.length) out.push(...matmuls("lora dA", aJobs, g));
	return out;
}
// src/model/gpu-model.ts
var GpuModel = class GpuModel {
	constructor(ctx, setup, buffers, parts) {
		this.ctx = ctx;
		this.setup = setup;
		this.buffers = buffers;
		this.params = parts.params;
		this.acts = parts.acts;
		this.table = parts.table;
		this.graph = parts.graph;
		this.trainProgram = parts.train;
		this.evaluate = parts.evaluate;
		this.copy = parts.copy;
	}
	/** Allocates everything and builds the programs. `corpus` holds the train and validation bytes. */
	static async create(ctx, setup, corpus) {
		const { shape, microBatch: B, seqLen: T, accum } = setup;
		const params = buildParamTable(shape, setup.scope);
		const rows = B * T;
		const training = setup.training !== false;
		const acts = planActivations(shape, params, B, T, Math.max(training ? accum : 0, setup.evalBatches) * rows, training);
		const maxBinding = ctx.limits.maxStorageBufferBindingSize;
		if (acts.layout.bytes > maxBinding) throw new GpuOperationError(`activations for micro-batch ${B} × ${T}`, "out-of-memory", `${acts.layout.bytes} bytes exceed the adapter's maxStorageBufferBindingSize ${maxBinding}; use a smaller batch_size with more grad_accum_steps`);
		const table = buildOptimTable(optimTensors(params));
		const trainable = training ? Math.max(params.trainableSize, 4) : 4;
		const buffers = {
			P: await createStorage(ctx, "params", params.size * 4),
			G: await createStorage(ctx, "grads", trainable * 4),
			M: await createStorage(ctx, "adam m", trainable * 4),
			V: await createStorage(ctx, "adam v", trainable * 4),
			X: await createStorage(ctx, "activations", acts.layout.bytes),
			corpus: await createStorageFrom(ctx, "corpus", packBytes(corpus)),
			windows: await createStorage(ctx, "windows", (accum + setup.evalBatches) * B * 4),
			step: await createUniform(ctx, "step", 32),
			table: await createStorageFrom(ctx, "optim table", table.data),
			work: await createStorage(ctx, "optim work", Math.max(1, workSize(table)) * 4),
			state: await createStorage(ctx, "optim state", 32),
			ring: await createStorage(ctx, "metrics ring", setup.ringSlots * table.slotSize * 4)
		};
		const graph = {
			shape,
			params,
			acts,
			bufs: buffers,
			style: setup.style ?? styleFor(ctx.adapter)
		};
		const train = training ? await buildTrainProgram(ctx, setup, graph, table, buffers) : null;
		let evaluate = null;
		if (setup.evalBatches > 0) {
			evaluate = new Program(ctx, "evaluate");
			for (const d of mergeDispatches(graph)) evaluate.add(d);
			for (let e = 0; e < setup.evalBatches; e++) for (const d of forwardDispatches(graph, {
				winOff: (accum + e) * B,
				lossOff: e * rows
			})) evaluate.add(d);
			await evaluate.build();
		}
		const copyDispatches = copyFrozenDispatches(graph);
		const copy = copyDispatches.length ? await copyDispatches.reduce((p, d) => p.add(d), new Program(ctx, "copy frozen")).build() : null;
		return new GpuModel(ctx, setup, buffers, {
			params,
			acts,
			table,
			graph,
			train,
			evaluate,
			copy
		});
	}
	/** The training program (one optimizer step); absent for evaluation-only models. */
	get train() {
		if (!this.trainProgram) throw new Error("this model was built without a training program");
		return this.trainProgram;
	}
	/** Uploads a whole parameter arena (table.size floats) and refreshes derived buffers. */
	async setParams(arena) {
		if (arena.length !== this.params.size) throw new Error(`setParams: arena has ${arena.length} floats, model needs ${this.params.size}`);
		upload(this.ctx, this.buffers.P, arena);
		if (this.copy) await this.copy.run();
	}
	async readParams() {
		return readF32(this.ctx, this.buffers.P, 0, this.params.size);
	}
	async readGrads() {
		return readF32(this.ctx, this.buffers.G, 0, this.params.trainableSize);
	}
	async readState() {
		return decodeState(await readBytes(this.ctx, this.buffers.state, 0, 32));
	}
	/** Queues a step's inputs: window starts (accum × B) and the step uniform. */
	writeStep(windows, stepNumber, lr, slot) {
		const need = this.setup.accum * this.setup.microBatch;
		if (windows.length !== need) throw new Error(`writeStep: ${windows.length} window offsets, step needs ${need}`);
		upload(this.ctx, this.buffers.windows, windows);
		this.ctx.device.queue.writeBuffer(this.buffers.step, 0, packStep(stepNumber, lr, this.setup.optim.beta1, this.setup.optim.beta2, slot));
	}
	/** Uploads the evaluation windows (evalBatches × B offsets) once. */
	setEvalWindows(windows) {
		const need = this.setup.evalBatches * this.setup.microBatch;
		if (windows.length !== need) throw new Error(`setEvalWindows: ${windows.length} offsets, evaluation needs ${need}`);
		upload(this.ctx, this.buffers.windows, windows, this.setup.accum * this.setup.microBatch * 4);
	}
	/** Runs the evaluation program and returns the mean loss over all evaluation rows. */
	async evaluateLoss() {
		const losses = await this.runEvaluation();
		let s = 0;
		for (let i = 0; i < losses.length; i++) s += losses[i];
		return s / losses.length;
	}
	async runEvaluation() {
		if (!this.evaluate) throw new Error("the model was built without evaluation batches");
		this.evaluate.submit();
		return readF32(this.ctx, this.buffers.X, this.acts.layout.get("losses").offset, this.setup.evalBatches * this.acts.rows);
	}
	/**
	* Per-row losses [starts.length × T] of arbitrary windows (each T + 1 bytes of the corpus), run
	* through the evaluation program in rounds of evalBatches × B windows.
	*/
	async windowLosses(starts) {
		const per = this.setup.evalBatches * this.setup.microBatch;
		const T = this.setup.seqLen;
		const out = new Float32Array(starts.length * T);
		for (let i = 0; i < starts.length; i += per) {
			const round = new Uint32Array(per);
			round.set(starts.subarray(i, i + per));
			this.setEvalWindows(round);
			const losses = await this.runEvaluation();
			out.set(losses.subarray(0, Math.min(per, starts.length - i) * T), i * T);
		}
		return out;
	}
	destroy() {
		this.trainProgram?.destroy();
		this.evaluate?.destroy();
		this.copy?.destroy();
		for (const b of Object.values(this.buffers)) b.destroy();
	}
};
/** [LoRA merge] + accum × (forward + backward) + the optimizer's four dispatches. */
async function buildTrainProgram(ctx, setup, graph, table, buffers) {
	const { microBatch: B, accum } = setup;
	const rows = graph.acts.rows;
	const gradScale = 1 / (rows * accum);
	const train = new Program(ctx, "train step");
	for (const d of mergeDispatches(graph)) train.add(d);
	for (let i = 0; i < accum; i++) {
		for (const d of forwardDispatches(graph, {
			winOff: i * B,
			lossOff: i * rows,
			gradScale
		})) train.add(d);
		for (const d of backwardDispatches(graph, i * B)) train.add(d);
	}
	const lossOff = graph.acts.layout.get("losses").offset;
	for (const d of optimizerStep("step", setup.optim, {
		table,
		lossOff,
		lossCount: accum * rows,
		ringSlots: setup.ringSlots,
		zeroGrads: true
	}, {
		step: buffers.step,
		P: buffers.P,
		G: buffers.G,
		M: buffers.M,
		V: buffers.V,
		table: buffers.table,
		work: buffers.work,
		losses: buffers.X,
		state: buffers.state,
		ring: buffers.ring
	}, graph.style)) train.add(d);
	return train.build();
}
// src/data/rng.ts
/** mulberry32: a small, fast 32-bit generator with a full 2^32 period. */
var Rng = class {
	constructor(seed) {
		this.state = seed >>> 0;
	}
	/** Next 32-bit unsigned integer. */
	nextU32() {
		this.state = this.state + 1831565813 >>> 0;
		let t = this.state;
		t = Math.imul(t ^ t >>> 15, t | 1);
		t ^= t + Math.imul(t ^ t >>> 7, t | 61);
		return (t ^ t >>> 14) >>> 0;
	}
	/** Uniform in [0, 1) with 2^-32 resolution. */
	next() {
		return this.nextU32() / 4294967296;
	}
	/** Uniform integer in [0, n). */
	int(n) {
		if (n <= 0) throw new RangeError(`Rng.int(${n})`);
		if (n <= 4294967296) return Math.floor(this.next() * n);
		return Math.floor((this.nextU32() * 4294967296 + this.nextU32()) / 0x10000000000000000 * n);
	}
	uniform(lo, hi) {
		return lo + (hi - lo) * this.next();
	}
	/** Standard normal (Box-Muller). */
	normal() {
		const u = 1 - this.next();
		const v = this.next();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}
	/** Float64Array of n values uniform in [lo, hi). */
	uniformArray(n, lo = -1, hi = 1) {
		const out = new Float64Array(n);
		for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
		return out;
	}
	normalArray(n, std = 1) {
		const out = new Float64Array(n);
		for (let i = 0; i < n; i++) out[i] = this.normal() * std;
		return out;
	}
};
// src/model/init.ts
/** FNV-1a hash of a name, mixed with the seed. */
function streamSeed(seed, name) {
	let h = 2166136261 ^ seed >>> 0;
	for (let i = 0; i < name.length; i++) {
		h ^= name.charCodeAt(i);
		h = Math.imul(h, 16777619);
	}
	return h >>> 0;
}
function initView(v, seed, out) {
	const rng = new Rng(streamSeed(seed, v.name));
	const dst = out.subarray(v.offset, v.offset + v.size);
	const init = v.init;
	for (let i = 0; i < v.size; i++) dst[i] = init.kind === "const" ? init.value : init.kind === "normal" ? rng.normal() * init.std : rng.uniform(-init.bound, init.bound);
}
/** A fresh arena (size table.size) with every tensor initialised. */
function initParams(table, seed) {
	const out = new Float32Array(table.size);
	for (const v of table.views) initView(v, seed, out);
	return out;
}
// src/gpu/profile.ts
async function profileProgram(ctx, program) {
	const { device } = ctx;
	const n = program.dispatchCount;
	const labels = program.dispatchLabels;
	const kernels = program.dispatchKernels;
	if (ctx.features.has("timestamp-query")) {
		const querySet = device.createQuerySet({
			type: "timestamp",
			count: 2 * n
		});
		const resolve = device.createBuffer({
			size: 16 * n,
			usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC
		});
		const read = device.createBuffer({
			size: 16 * n,
			usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST
		});
		const enc = device.createCommandEncoder({ label: `profile ${program.label}` });
		for (let i = 0; i < n; i++) {
			const pass = enc.beginComputePass({ timestampWrites: {
				querySet,
				beginningOfPassWriteIndex: 2 * i,
				endOfPassWriteIndex: 2 * i + 1
			} });
			program.encodeOne(pass, i);
			pass.end();
		}
		enc.resolveQuerySet(querySet, 0, 2 * n, resolve, 0);
		enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
		device.queue.submit([enc.finish()]);
		await read.mapAsync(GPUMapMode.READ);
		const t = new BigUint64Array(read.getMappedRange().slice(0));
		read.unmap();
		for (const b of [resolve, read]) b.destroy();
		querySet.destroy();
		return {
			method: "timestamp-query",
			dispatches: labels.map((label, i) => ({
				label,
				kernel: kernels[i],
				ms: Number(t[2 * i + 1] - t[2 * i]) / 1e6
			}))
		};
	}
	const dispatches = [];
	for (let i = 0; i < n; i++) {
		const t0 = performance.now();
		const enc = device.createCommandEncoder();
		const pass = enc.beginComputePass();
		program.encodeOne(pass, i);
		pass.end();
		device.queue.submit([enc.finish()]);
		await device.queue.onSubmittedWorkDone();
		dispatches.push({
			label: labels[i],
			kernel: kernels[i],
			ms: performance.now() - t0
		});
	}
	return {
		method: "host",
		dispatches
	};
}
/** Total time per kernel name, largest first. */
function byKernel(p) {
	const m = /* @__PURE__ */ new Map();
	for (const d of p.dispatches) {
		const e = m.get(d.kernel) ?? {
			ms: 0,
			count: 0
		};
		e.ms += d.ms;
		e.count++;
		m.set(d.kernel, e);
	}
	const total = p.dispatches.reduce((a, d) => a + d.ms, 0);
	return [...m].map(([kernel, e]) => ({
		kernel,
		...e,
		share: e.ms / total
	})).sort((a, b) => b.ms - a.ms);
}
PRESETS.tiny, PRESETS.classroom, PRESETS.nanogpt;
function benchScope(mode) {
	return {
		mode,
		lora: mode === "lora" ? {
			rank: 8,
			alpha: 16,
			rsLora: false,
			targets: [...LORA_TARGETS]
		} : null,
		layerLrDecay: 1,
		embeddingLrMult: 1,
		headLrMult: 1,
		loraBLrMult: 1,
		decayNormAndBias: false
	};
}
// ../../tmp/probe/entry.ts
var ctx = await openNodeGpu("swiftshader");
var shape = PRESETS.tiny;
var model = await GpuModel.create(ctx, {
	shape,
	scope: benchScope(process.argv[2] === "lora" ? "lora" : "full"),
	microBatch: 8,
	seqLen: 64,
	accum: 1,
	evalBatches: 0,
	optim: {
		beta1: .9,
		beta2: .999,
		eps: 1e-8,
		weightDecay: .01,
		gradClip: 0,
		divergeMargin: 0
	},
	ringSlots: 2
}, /* @__PURE__ */ new Uint8Array(7e4));
await model.setParams(initParams(model.params, 0));
model.writeStep(/* @__PURE__ */ new Uint32Array(8), 1, .001, 0);
var p = await profileProgram(ctx, model.train);
if (process.argv[3] === "all") for (const d of p.dispatches) console.log(d.ms.toFixed(1).padStart(8), d.label);
var tot = 0;
for (const k of byKernel(p)) {
	console.log(k.ms.toFixed(1).padStart(8), k.kernel, k.count);
	tot += k.ms;
}
console.log("total", tot.toFixed(0));
ctx.device.destroy();
process.exit(0);
export {};

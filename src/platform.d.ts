// The globals the engine may use: only what browsers (page and worker) and Node ≥ 20 both provide.
// The engine project (tsconfig.engine.json) type-checks with lib ES2022 and @webgpu/types alone, no
// DOM and no Node types, so any other global (document, window, self, postMessage, fetch, Buffer,
// process, require) is a compile error there. A global goes here only when both platforms have it,
// declared as narrowly as the engine uses it, in shapes that match lib.dom.d.ts; console,
// queueMicrotask and crypto.getRandomValues would qualify, but no engine file uses them (the engine
// reports through callbacks and draws random numbers from src/data/rng).
// tsconfig.json (front doors and tests, with DOM and Node types) excludes this file.

/** Both: browsers (HR Time) and Node ≥ 16 (global `performance`). Step timing, throughput. */
interface Performance {
  now(): number;
}
declare var performance: Performance;

/**
 * Both: HTML timers in browsers and workers, Node's timers. The handle is opaque: a number in a
 * browser, an object in Node, so the engine only hands it back to clearTimeout.
 */
interface TimeoutHandle {
  readonly __timeoutHandle: never;
}
declare function setTimeout(handler: () => void, timeout?: number): TimeoutHandle;
declare function clearTimeout(handle: TimeoutHandle | undefined): void;

/** Both: browsers and Node ≥ 17 (HTML structured clone). Deep copies of records and configs. */
declare function structuredClone<T>(value: T): T;

/** Both: Encoding API in browsers, global in Node ≥ 11. UTF-8 only (the byte tokenizer, JSON headers). */
interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };

/** Both, as TextEncoder. `fatal` refuses malformed UTF-8 (safetensors headers). */
interface TextDecoder {
  decode(input?: ArrayBufferLike | ArrayBufferView, options?: { stream?: boolean }): string;
}
declare var TextDecoder: { prototype: TextDecoder; new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder };

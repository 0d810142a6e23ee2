// Flat arenas: one buffer holds many tensors, each a named view (element offset + shape). Offsets
// are aligned to 64 elements (256 bytes: the largest minStorageBufferOffsetAlignment WebGPU allows,
// so any view can also be bound on its own on every device; no device query is needed).
// Kernels index arenas with u32 element offsets, and the Node path runs Dawn with robustness off, so
// an arena never spans 2³² elements or more (checked at alloc).
// Kernels address views by element offset, so one dispatch can cover the whole arena
// (zeroing, gradient norm, AdamW) or any single tensor.

export interface TensorView {
  readonly name: string;
  /** Offset in f32 elements from the start of the arena. */
  readonly offset: number;
  readonly shape: readonly number[];
  /** Number of elements (product of shape). */
  readonly size: number;
}

/** Kernels index with u32 element offsets: an arena's last element index must fit. */
export const MAX_ARENA_ELEMS = 2 ** 32 - 1;

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class ArenaLayout {
  private readonly views = new Map<string, TensorView>();
  private end = 0;

  /** @param alignElems alignment of every view's offset, in f32 elements (storage offset alignment / 4). */
  constructor(
    readonly name: string,
    readonly alignElems = 64,
  ) {}

  alloc(name: string, shape: readonly number[]): TensorView {
    if (this.views.has(name)) throw new Error(`arena ${this.name}: view ${name} allocated twice`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d <= 0) throw new Error(`arena ${this.name}: view ${name} has bad shape [${shape.join(', ')}]`);
    }
    const offset = Math.ceil(this.end / this.alignElems) * this.alignElems;
    const view: TensorView = { name, offset, shape: [...shape], size: numel(shape) };
    if (offset + view.size > MAX_ARENA_ELEMS) {
      throw new Error(`arena ${this.name}: view ${name} would end at element ${offset + view.size}; kernels index arenas with u32, so at most ${MAX_ARENA_ELEMS} elements`);
    }
    this.end = offset + view.size;
    this.views.set(name, view);
    return view;
  }

  get(name: string): TensorView {
    const v = this.views.get(name);
    if (!v) throw new Error(`arena ${this.name}: no view named ${name}`);
    return v;
  }

  has(name: string): boolean {
    return this.views.has(name);
  }

  all(): TensorView[] {
    return [...this.views.values()];
  }

  /** Elements spanned by all views, padding included. */
  get size(): number {
    return Math.ceil(this.end / this.alignElems) * this.alignElems;
  }

  get bytes(): number {
    return this.size * 4;
  }
}

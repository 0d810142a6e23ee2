// Packs a WGSL uniform `Params` struct whose fields are all 4-byte scalars (u32, i32, f32), in
// declaration order. Kernel objects use it so the TypeScript side lists fields in the same order
// as the WGSL struct beside it.

export class ParamWriter {
  private readonly view: DataView;
  private offset = 0;

  constructor(readonly bytes: number) {
    this.view = new DataView(new ArrayBuffer(bytes));
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`param u32 out of range: ${v}`);
    this.view.setUint32(this.offset, v, true);
    this.offset += 4;
    return this;
  }

  i32(v: number): this {
    this.view.setInt32(this.offset, v, true);
    this.offset += 4;
    return this;
  }

  f32(v: number): this {
    this.view.setFloat32(this.offset, v, true);
    this.offset += 4;
    return this;
  }

  /** Skips to a byte offset (for padding or fixed-size arrays); never moves backwards. */
  seek(offset: number): this {
    if (offset < this.offset) throw new RangeError(`ParamWriter.seek(${offset}) is behind ${this.offset}`);
    this.offset = offset;
    return this;
  }

  get position(): number {
    return this.offset;
  }

  finish(): ArrayBuffer {
    if (this.offset > this.bytes) throw new RangeError(`params overflow: wrote ${this.offset} of ${this.bytes} bytes`);
    return this.view.buffer as ArrayBuffer;
  }
}

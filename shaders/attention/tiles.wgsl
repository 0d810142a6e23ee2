// Workgroup tiles of the 'workgroup' style attention kernels (forward.wgsl, backward.wgsl): a
// workgroup takes a block of ROWS consecutive rows of one (b, h), a thread per row, and streams
// the other side's rows through two TILE × MAXD tiles (row stride MAXD).
// Limits: 2·TILE·MAXD·4 bytes of workgroup storage (16 KiB at TILE 32, MAXD 64).
// ROWS, TILE and MAXD come from src/kernels/attention.ts.

var<workgroup> tileA: array<f32, TILE * MAXD>; // keys (forward, dq job) or queries (dk/dv job)
var<workgroup> tileB: array<f32, TILE * MAXD>; // values (forward, dq job) or dO rows (dk/dv job)

// Which rows stage() copies.
const SRC_Q = 0u;
const SRC_K = 1u;
const SRC_V = 2u;
const SRC_DOUT = 3u;

fn row_start(src: u32, b: u32, t: u32, h: u32) -> u32 {
  if (src == SRC_DOUT) { return o_index(prm.dout_off, b, t, h); }
  return q_index(b, t, h) + src * prm.C;
}

// Copies rows [r0, r0 + n) of head h of `srcA` into tileA and of `srcB` into tileB, rows past T as
// zeros. Every invocation of the workgroup takes a share; the caller puts a workgroupBarrier between
// this and any read of the tiles, and another between those reads and the next stage().
fn stage(li: u32, b: u32, h: u32, r0: u32, n: u32, srcA: u32, srcB: u32) {
  let D = prm.D;
  for (var idx = li; idx < n * D; idx += ROWS) {
    let r = idx / D;
    let d = idx % D;
    var a = 0.0;
    var v = 0.0;
    if (r0 + r < prm.T) {
      a = X[rx + row_start(srcA, b, r0 + r, h) + d];
      v = X[rx + row_start(srcB, b, r0 + r, h) + d];
    }
    tileA[r * MAXD + d] = a;
    tileB[r * MAXD + d] = v;
  }
}

// A ROWS-row block of one (b, h): rows [r0, r0 + ROWS) ∩ [0, T). Every value is uniform over the
// workgroup (it comes from the workgroup id), so loops bounded by it may hold barriers.
struct Block { bh: u32, b: u32, h: u32, r0: u32 }

fn blocks_per_head() -> u32 { return (prm.T + ROWS - 1u) / ROWS; }

// Block `id` of the B·H·blocks_per_head() blocks, (b, h)-major.
fn block_of(id: u32) -> Block {
  let nqb = blocks_per_head();
  let bh = id / nqb;
  return Block(bh, bh / prm.H, bh % prm.H, (id % nqb) * ROWS);
}

// Workgroup tree sums over `red` / `red2` (WG entries each, declared here: an entry point that calls
// these uses 2·WG·4 bytes of workgroup storage). WG (the workgroup size, a power of two) comes from
// the including kernel's TypeScript constants (needs: WG in src/kernels/lib.ts). Every invocation
// of the workgroup must reach each call: they contain barriers.

var<workgroup> red: array<f32, WG>;
var<workgroup> red2: array<f32, WG>;

fn wg_sum(li: u32, v: f32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

// Two sums at once (one barrier sequence).
fn wg_sum2(li: u32, a: f32, b: f32) -> vec2f {
  red[li] = a;
  red2[li] = b;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) {
      red[li] += red[li + s];
      red2[li] += red2[li + s];
    }
    workgroupBarrier();
  }
  let total = vec2f(red[0], red2[0]);
  workgroupBarrier();
  return total;
}

// Packed runs (src/kernels/runs.ts): one dispatch may cover several training runs of the same
// shape, the workgroup's z index being the run. Run r's data lie r arenas further into each bound
// buffer than run 0's, so each access adds the run's base: P[rp + i], X[rx + i], G[rg + i],
// windows[rw + i]. The corpus is shared. The including kernel's Params ends with run_p, run_x,
// run_g, run_w (the strides, in elements) and each entry point calls enter_run(workgroup_id.z)
// first. With one run every base is 0, and a run computes exactly what it computes alone.

var<private> rp: u32;
var<private> rx: u32;
var<private> rg: u32;
var<private> rw: u32;

fn enter_run(run: u32) {
  rp = run * prm.run_p;
  rx = run * prm.run_x;
  rg = run * prm.run_g;
  rw = run * prm.run_w;
}

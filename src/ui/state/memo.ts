// The last result of a pure function, kept while it is called with the same arguments. Derived
// lists (the run list, the runs drawn) then stay the same array until what they come from changes,
// so a component handed one (Lit compares properties by identity) redraws only then.

export function lastResult<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | null = null;
  return (...args: A) => {
    if (!last || args.some((a, i) => a !== last!.args[i])) last = { args, result: fn(...args) };
    return last.result;
  };
}

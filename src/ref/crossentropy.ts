// Float64 reference for softmax + cross-entropy over the vocabulary (PyTorch F.cross_entropy, mean).
// Shapes: logits [R, V]  targets [R]  losses [R]   loss = mean_r losses[r]
//   losses[r] = logsumexp(logits[r]) - logits[r, targets[r]]
// Backward for an upstream gradient dloss on the mean: dlogits = (softmax(logits) - onehot)·dloss/R

export function crossEntropyForward(logits: ArrayLike<number>, targets: ArrayLike<number>, R: number, V: number): { losses: Float64Array; loss: number } {
  const losses = new Float64Array(R);
  let total = 0;
  for (let r = 0; r < R; r++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[r * V + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[r * V + v] - max);
    losses[r] = max + Math.log(sum) - logits[r * V + targets[r]];
    total += losses[r];
  }
  return { losses, loss: total / R };
}

export function crossEntropyBackward(logits: ArrayLike<number>, targets: ArrayLike<number>, R: number, V: number, dloss = 1): Float64Array {
  const d = new Float64Array(R * V);
  for (let r = 0; r < R; r++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[r * V + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[r * V + v] - max);
    for (let v = 0; v < V; v++) {
      const p = Math.exp(logits[r * V + v] - max) / sum;
      d[r * V + v] = ((p - (v === targets[r] ? 1 : 0)) * dloss) / R;
    }
  }
  return d;
}

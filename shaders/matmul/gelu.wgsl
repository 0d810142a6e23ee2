// GELU, tanh approximation (PyTorch's gelu(approximate='tanh')):
//   gelu(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
// tanh's argument is clamped: some backends compute tanh through exp and return NaN for large
// inputs; tanh(±15) is ±1 in f32 anyway.

// GELU_C = √(2/π) and GELU_K come from src/ref/gelu.ts through src/kernels/matmul.ts.

fn gelu_tanh_arg(x: f32) -> f32 {
  return clamp(GELU_C * (x + GELU_K * x * x * x), -15.0, 15.0);
}

fn gelu(x: f32) -> f32 {
  return 0.5 * x * (1.0 + tanh(gelu_tanh_arg(x)));
}

// d gelu / dx
fn gelu_grad(x: f32) -> f32 {
  let t = tanh(gelu_tanh_arg(x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x);
}

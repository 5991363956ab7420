"""Shared model definitions, inputs and helpers for the trtc test-data generators.

Both gen_onnx.py and gen_pt2.py build their models through the functions here, so
the ResNet, the tiny GPT, the GELU modules and the MLP have the same weights (and
the same inputs) in testdata/models/ and testdata/pt2/. Every builder reseeds
torch and numpy first, so its weights do not depend on what was built before it.
"""

import hashlib
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torchvision

SEED = 0
MAX_FILE_BYTES = 10 * 1000 * 1000  # every generated file must stay under 10 MB


def seed_all(seed=SEED):
    torch.manual_seed(seed)
    np.random.seed(seed)


def randomize_batchnorm(model):
    """Give every BatchNorm non-trivial running stats and affine params.

    Freshly constructed BatchNorms have mean 0 / var 1 / weight 1 / bias 0, which
    makes them near-identities in eval mode and hides BN-folding bugs. Uses the
    global torch RNG, so callers must seed first.
    """
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                n = m.num_features
                m.running_mean.copy_(torch.empty(n).uniform_(-0.2, 0.2))
                m.running_var.copy_(torch.empty(n).uniform_(0.5, 1.5))
                if m.affine:
                    m.weight.copy_(torch.empty(n).uniform_(0.5, 1.5))
                    m.bias.copy_(torch.empty(n).uniform_(-0.2, 0.2))


def state_dict_sha256(model):
    """Checksum of all parameters and buffers (name order), to show that the ONNX
    and the pt2 variants of a model carry the same weights."""
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


# --------------------------------------------------------------------------- models

def build_mobilenet():
    """torchvision MobileNetV3-small, 10 classes, width_mult=0.5 where supported."""
    seed_all()
    note = "torchvision.models.mobilenet_v3_small(weights=None, num_classes=10, width_mult=0.5)"
    try:
        model = torchvision.models.mobilenet_v3_small(weights=None, num_classes=10, width_mult=0.5)
        if model.features[0][0].out_channels != 8:  # 16 * 0.5; 16 means it was ignored
            raise TypeError("width_mult was ignored")
    except TypeError as e:
        seed_all()
        model = torchvision.models.mobilenet_v3_small(weights=None, num_classes=10)
        note = f"torchvision.models.mobilenet_v3_small(weights=None, num_classes=10) (width_mult unsupported: {e})"
    randomize_batchnorm(model)
    return model.eval(), note


def build_resnet():
    """A small torchvision ResNet: ResNet(BasicBlock, [1,1,1,1], num_classes=10).

    The full [1,1,1,1] BasicBlock net has ~4.9M params (~19.6 MB as float32), over
    the 10 MB per-file budget; BasicBlock only supports width_per_group=64, so the
    512-channel stage (layer4, ~3.7M params) is replaced by nn.Identity and fc
    becomes Linear(256, 10). The class, blocks and forward are torchvision's.
    """
    seed_all()
    from torchvision.models.resnet import BasicBlock, ResNet

    model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=10)
    note = "torchvision.models.resnet.ResNet(BasicBlock, [1,1,1,1], num_classes=10)"
    nbytes = sum(p.numel() for p in model.parameters()) * 4
    if nbytes > 0.9 * MAX_FILE_BYTES:
        model.layer4 = nn.Identity()
        model.fc = nn.Linear(256, 10)
        note += (f"; full model is {nbytes / 1e6:.1f} MB of float32 weights, so layer4 -> nn.Identity()"
                 " and fc -> nn.Linear(256, 10) (stem + 3 stages of 1 BasicBlock each: 64/128/256 ch)")
    randomize_batchnorm(model)
    return model.eval(), note


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model, n_head, max_seq):
        super().__init__()
        assert d_model % n_head == 0
        self.n_head = n_head
        self.head_dim = d_model // n_head
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        # lower-triangular causal mask, 1 = may attend
        self.register_buffer("mask", torch.tril(torch.ones(max_seq, max_seq)).view(1, 1, max_seq, max_seq),
                             persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # [B, H, T, hd]
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)  # [B, H, T, T]
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        att = torch.softmax(att, dim=-1)
        y = att @ v  # [B, H, T, hd]
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d_model, n_head, max_seq):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_head, max_seq)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, 4 * d_model)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(4 * d_model, d_model)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        x = x + self.fc2(self.act(self.fc1(self.ln2(x))))
        return x


class TinyGPT(nn.Module):
    """GPT-style decoder: token + learned position embedding, pre-LN blocks with
    explicit causal attention, GELU MLP, final LayerNorm, untied lm head."""

    def __init__(self, vocab=256, d_model=64, n_head=4, n_layer=2, max_seq=16):
        super().__init__()
        self.wte = nn.Embedding(vocab, d_model)
        self.wpe = nn.Embedding(max_seq, d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_head, max_seq) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)

    def forward(self, input_ids):
        B, T = input_ids.shape
        pos = torch.arange(T, dtype=torch.long, device=input_ids.device)
        x = self.wte(input_ids) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def build_gpt():
    seed_all()
    model = TinyGPT()
    with torch.no_grad():  # non-trivial LayerNorm affine params
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return model.eval(), "TinyGPT(vocab=256, d_model=64, n_head=4, n_layer=2, max_seq=16), plain torch"


class GeluLinear(nn.Module):
    """y = gelu(x @ W^T + b) with nn.GELU(approximate=...)."""

    def __init__(self, approximate, features=8):
        super().__init__()
        self.linear = nn.Linear(features, features)
        self.gelu = nn.GELU(approximate=approximate)

    def forward(self, x):
        return self.gelu(self.linear(x))


def build_gelu(approximate):
    seed_all()
    return GeluLinear(approximate).eval(), f"Linear(8, 8) -> nn.GELU(approximate='{approximate}')"


class MLP(nn.Module):
    def __init__(self, d_in=16, d_hidden=32, d_out=4):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(d_hidden, d_out)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


def build_mlp():
    seed_all()
    return MLP().eval(), "Linear(16, 32) -> ReLU -> Linear(32, 4), dynamic batch"


# --------------------------------------------------------------------------- inputs
# numpy Generators with fixed seeds; the same arrays feed the ONNX and pt2 variants.

def image_input():
    return np.random.default_rng(SEED).standard_normal((1, 3, 64, 64)).astype(np.float32)


def token_input():
    return np.random.default_rng(SEED).integers(0, 256, size=(1, 16), dtype=np.int64)


def gelu_input():
    # spread over [-4, 4]-ish so tanh vs erf GELU differ measurably
    return (2.0 * np.random.default_rng(SEED).standard_normal((2, 8))).astype(np.float32)


def mlp_inputs():
    """{'b2': array[2,16], 'b5': array[5,16]} from one seeded generator."""
    rng = np.random.default_rng(SEED)
    return {"b2": rng.standard_normal((2, 16)).astype(np.float32),
            "b5": rng.standard_normal((5, 16)).astype(np.float32)}


# --------------------------------------------------------------------------- io helpers

def ensure_dir(path):
    os.makedirs(path, exist_ok=True)
    return path


def save_npy(path, arr):
    ensure_dir(os.path.dirname(path))
    np.save(path, np.ascontiguousarray(arr))
    check_size(path)


def write_json(path, obj):
    ensure_dir(os.path.dirname(path))
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write("\n")


def write_text(path, text):
    ensure_dir(os.path.dirname(path))
    with open(path, "w") as f:
        f.write(text)
        if not text.endswith("\n"):
            f.write("\n")


def check_size(path):
    n = os.path.getsize(path)
    if n >= MAX_FILE_BYTES:
        raise RuntimeError(f"{path} is {n} bytes, over the {MAX_FILE_BYTES}-byte budget")
    return n


def to_numpy_list(out):
    """Normalize a module output (tensor / tuple / list) into a list of numpy arrays."""
    if isinstance(out, torch.Tensor):
        out = [out]
    return [o.detach().cpu().numpy() for o in out]


def max_abs_diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)))


def versions():
    import platform
    v = {"python": platform.python_version(), "numpy": np.__version__,
         "torch": torch.__version__, "torchvision": torchvision.__version__}
    for mod in ("onnx", "onnxruntime", "onnxscript"):
        try:
            v[mod] = __import__(mod).__version__
        except Exception as e:  # noqa: BLE001
            v[mod] = f"unavailable ({e})"
    return v

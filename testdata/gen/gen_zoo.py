#!/usr/bin/env python3
"""Generate trtc's torch.export model zoo under <out>/zoo/<name>/.

Every model is a real torchvision architecture (or a plain torch.nn model) built
with random weights at SMALL widths and depths, so that each archive stays well
under 1 MB, in eval mode, seeded with torch.manual_seed(0) before construction.
For each model:

  model.pt2               torch.export.export(model, args[, dynamic_shapes])
  model_decomposed.pt2    the same program after ep.run_decompositions()
  <input>.npy             inputs (np.random.default_rng(0))
  expected/output_<i>.npy eager PyTorch outputs (CPU, eval, no_grad)
  meta.json               op counts of both forms, shapes, ranges, diffs

Dynamic models (gpt_dyn) have three input sets inside their ranges:
<input>_<set>.npy and expected_<set>/ (set names s1, s2, s3).

Each saved archive is loaded back with torch.export.load and rerun; its outputs
must match eager within 1e-4 (relative to the output scale). A model whose export
fails is reported and skipped; the rest still generate. The graph text of every
program goes to <out>/graphs/<name>[_decomposed].txt (not into testdata).

Usage: python3 gen_zoo.py --out STAGING_DIR [--only NAME ...]
"""

import argparse
import collections
import json
import math
import os
import sys
import traceback

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

MAX_ARCHIVE = 1000 * 1000  # each .pt2 must stay under 1 MB


def rng_image(shape=(1, 3, 32, 32)):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


def prep(model):
    C.randomize_batchnorm(model)
    return model.eval()


# --------------------------------------------------------------------------- torchvision

def tv_resnet():
    from torchvision.models.resnet import ResNet, BasicBlock

    class SmallResNet(ResNet):
        # torchvision's ResNet with every stage's width divided by 8.
        def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
            return super()._make_layer(block, planes // 16, blocks, stride, dilate)

    C.seed_all()
    m = SmallResNet(BasicBlock, [1, 1, 1, 1], num_classes=10)
    m.fc = nn.Linear(32 * BasicBlock.expansion, 10)
    return prep(m), "torchvision ResNet(BasicBlock, [1,1,1,1]) with stage widths 4,8,16,32"


def tv_mobilenet_v2():
    from torchvision.models.mobilenetv2 import MobileNetV2
    from torchvision.ops.misc import Conv2dNormActivation
    C.seed_all()
    setting = [[1, 16, 1, 1], [6, 24, 1, 2], [6, 32, 2, 2], [6, 48, 1, 2]]
    m = MobileNetV2(num_classes=10, width_mult=0.5, inverted_residual_setting=setting)
    cin = m.features[-1][0].in_channels
    m.features[-1] = Conv2dNormActivation(cin, 64, kernel_size=1, norm_layer=nn.BatchNorm2d,
                                          activation_layer=nn.ReLU6)
    m.classifier[-1] = nn.Linear(64, 10)
    return prep(m), "torchvision MobileNetV2(width_mult=0.5, 4 short stages, last conv 64)"


def tv_mobilenet_v3():
    from functools import partial
    from torchvision.models.mobilenetv3 import MobileNetV3, InvertedResidualConfig
    C.seed_all()
    b = partial(InvertedResidualConfig, width_mult=1.0)
    setting = [
        b(16, 3, 16, 16, True, "RE", 2, 1),
        b(16, 3, 48, 24, False, "RE", 2, 1),
        b(24, 5, 64, 24, True, "HS", 1, 1),
        b(24, 5, 72, 32, True, "HS", 2, 1),
    ]
    m = MobileNetV3(setting, last_channel=64, num_classes=10)
    return prep(m), "torchvision MobileNetV3 (small-style config: SE, hardswish, 4 blocks, last channel 64)"


def tv_efficientnet():
    from torchvision.models.efficientnet import EfficientNet, MBConvConfig
    C.seed_all()
    setting = [
        MBConvConfig(expand_ratio=1, kernel=3, stride=1, input_channels=16, out_channels=8, num_layers=1),
        MBConvConfig(expand_ratio=4, kernel=3, stride=2, input_channels=8, out_channels=16, num_layers=2),
        MBConvConfig(expand_ratio=4, kernel=5, stride=2, input_channels=16, out_channels=24, num_layers=1),
    ]
    m = EfficientNet(setting, dropout=0.2, stochastic_depth_prob=0.2, num_classes=10, last_channel=64)
    return prep(m), "torchvision EfficientNet (3 MBConv stages 8/16/24, SE, SiLU, last channel 64)"


def tv_regnet():
    from torchvision.models.regnet import RegNet, BlockParams
    C.seed_all()
    bp = BlockParams.from_init_params(depth=3, w_0=8, w_a=8.0, w_m=2.0, group_width=8, se_ratio=0.25)
    m = RegNet(bp, num_classes=10, stem_width=8)
    return prep(m), "torchvision RegNet (Y-style with SE; depth 3, w_0 8, group width 8)"


def tv_shufflenet_v2():
    from torchvision.models.shufflenetv2 import ShuffleNetV2
    C.seed_all()
    m = ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 128], num_classes=10)
    return prep(m), "torchvision ShuffleNetV2(stages [2,2,2], channels [8,16,32,64,128])"


def tv_squeezenet():
    from torchvision.models.squeezenet import SqueezeNet, Fire
    C.seed_all()
    m = SqueezeNet(version="1_1", num_classes=10)
    m.features = nn.Sequential(
        nn.Conv2d(3, 16, kernel_size=3, stride=2), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(16, 8, 16, 16), Fire(32, 8, 16, 16),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(32, 16, 32, 32))
    m.classifier = nn.Sequential(nn.Dropout(p=0.5), nn.Conv2d(64, 10, kernel_size=1),
                                 nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1)))
    return prep(m), "torchvision SqueezeNet 1_1 with 3 Fire modules (squeeze 8/8/16), ceil-mode max pools"


def tv_mnasnet():
    from torchvision.models.mnasnet import MNASNet
    C.seed_all()
    m = MNASNet(alpha=0.1, num_classes=10)
    cin = m.layers[14].in_channels
    m.layers[14] = nn.Conv2d(cin, 64, 1, padding=0, stride=1, bias=False)
    m.layers[15] = nn.BatchNorm2d(64)
    m.classifier[-1] = nn.Linear(64, 10)
    for i in range(8, 13):  # keep the first block of each repeated stack (archive size)
        m.layers[i] = m.layers[i][:1]
    return prep(m), "torchvision MNASNet(alpha=0.1), first block of stacks 8-12, head conv 64"


def tv_densenet():
    from torchvision.models.densenet import DenseNet
    C.seed_all()
    m = DenseNet(growth_rate=8, block_config=(2, 2, 2), num_init_features=16, bn_size=2, num_classes=10)
    return prep(m), "torchvision DenseNet(growth 8, blocks (2,2,2), 16 init features, bn_size 2)"


def tv_convnext():
    from torchvision.models.convnext import ConvNeXt, CNBlockConfig
    C.seed_all()
    setting = [CNBlockConfig(16, 32, 1), CNBlockConfig(32, 48, 1), CNBlockConfig(48, None, 1)]
    m = ConvNeXt(setting, stochastic_depth_prob=0.0, num_classes=10)
    with torch.no_grad():  # layer scale starts at 1e-6: make the blocks matter
        for mod in m.modules():
            if hasattr(mod, "layer_scale"):
                mod.layer_scale.uniform_(0.5, 1.0)
    return prep(m), "torchvision ConvNeXt (stages 16/32/48, one block each, layer scale randomized)"


def tv_vit():
    from torchvision.models.vision_transformer import VisionTransformer
    C.seed_all()
    m = VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32,
                          mlp_dim=64, num_classes=10)
    with torch.no_grad():
        m.heads.head.weight.normal_(0, 0.2)  # torchvision zero-initializes the head
    return prep(m), "torchvision VisionTransformer(32x32, patch 8, 2 layers, 2 heads, hidden 32, mlp 64)"


def tv_swin():
    from torchvision.models.swin_transformer import SwinTransformer
    C.seed_all()
    m = SwinTransformer(patch_size=[4, 4], embed_dim=8, depths=[2, 2], num_heads=[2, 4],
                        window_size=[4, 4], stochastic_depth_prob=0.0, num_classes=10)
    return prep(m), "torchvision SwinTransformer(patch 4, embed 8, depths [2,2], heads [2,4], window 4)"


# --------------------------------------------------------------------------- torch.nn models

class SegNet(nn.Module):
    """A small FCN-style segmenter: stride-8 backbone, 1x1 classifier, bilinear
    upsampling (align_corners False and True, by size and by scale factor)."""

    def __init__(self, classes=4):
        super().__init__()
        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))
        self.b1, self.b2, self.b3 = block(3, 8), block(8, 16), block(16, 32)
        self.skip = nn.Conv2d(16, classes, 1)
        self.cls = nn.Conv2d(32, classes, 1)

    def forward(self, x):
        f1 = self.b1(x)
        f2 = self.b2(f1)
        f3 = self.b3(f2)
        y = F.interpolate(self.cls(f3), scale_factor=2.0, mode="bilinear", align_corners=True)
        y = y + self.skip(f2)
        return F.interpolate(y, size=x.shape[-2:], mode="bilinear", align_corners=False)


class UNet(nn.Module):
    """Two-level UNet with ConvTranspose2d upsampling and concatenated skips."""

    def __init__(self, c=8, classes=3):
        super().__init__()
        def dbl(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(inplace=True),
                                 nn.Conv2d(o, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(inplace=True))
        self.e1, self.e2, self.mid = dbl(3, c), dbl(c, 2 * c), dbl(2 * c, 4 * c)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.d2 = dbl(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.d1 = dbl(2 * c, c)
        self.out = nn.Conv2d(c, classes, 1)

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(self.pool(e1))
        m = self.mid(self.pool(e2))
        d2 = self.d2(torch.cat([self.up2(m), e2], dim=1))
        d1 = self.d1(torch.cat([self.up1(d2), e1], dim=1))
        return self.out(d1)


class RNNClassifier(nn.Module):
    def __init__(self, kind, bidirectional, inp=8, hidden=16, classes=5):
        super().__init__()
        cls = {"lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.rnn = cls(inp, hidden, num_layers=2, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), classes)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1, :])


class EncoderModel(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d, 2, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.fc = nn.Linear(d, 4)

    def forward(self, x):
        return self.fc(self.enc(x))


class DecoderModel(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        layer = nn.TransformerDecoderLayer(d, 2, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.dec = nn.TransformerDecoder(layer, 1)  # one layer: archive size
        self.fc = nn.Linear(d, 4)

    def forward(self, tgt, memory):
        t = tgt.shape[1]
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        # tgt_is_causal=False: the default (None) compares the mask's values,
        # which export cannot do on traced tensors.
        return self.fc(self.dec(tgt, memory, tgt_mask=mask, tgt_is_causal=False))


class AudioEncoder(nn.Module):
    """Conv1d front end over a raw waveform: BatchNorm1d, GroupNorm, pooling, GELU."""

    def __init__(self, classes=6):
        super().__init__()
        self.c1 = nn.Conv1d(1, 8, 9, stride=2, padding=4)
        self.bn = nn.BatchNorm1d(8)
        self.pool = nn.MaxPool1d(2)
        self.c2 = nn.Conv1d(8, 16, 5, stride=2, padding=2)
        self.gn = nn.GroupNorm(4, 16)
        self.c3 = nn.Conv1d(16, 16, 3, padding=2, dilation=2, groups=4)
        self.avg = nn.AvgPool1d(2)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.c1(x))))
        x = F.gelu(self.gn(self.c2(x)))
        x = self.avg(x + self.c3(x))
        return self.fc(x.mean(dim=-1))


class GPT(nn.Module):
    """GPT-style decoder: token + position embeddings (positions from the sequence
    length), pre-LN blocks with causal attention (an explicit triu mask in the
    first block, SDPA is_causal in the second), GELU MLP, tied-free lm head."""

    def __init__(self, vocab=64, d=32, heads=2, layers=2, maxlen=32):
        super().__init__()
        self.d, self.h = d, heads
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(maxlen, d)
        self.ln1 = nn.ModuleList(nn.LayerNorm(d) for _ in range(layers))
        self.ln2 = nn.ModuleList(nn.LayerNorm(d) for _ in range(layers))
        self.qkv = nn.ModuleList(nn.Linear(d, 3 * d) for _ in range(layers))
        self.proj = nn.ModuleList(nn.Linear(d, d) for _ in range(layers))
        self.mlp = nn.ModuleList(nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d)) for _ in range(layers))
        self.lnf = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx):
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = self.tok(idx) + self.pos(pos).unsqueeze(0)
        mask = torch.triu(torch.full((T, T), float("-inf"), device=idx.device), diagonal=1)
        hd = self.d // self.h
        for i in range(len(self.qkv)):
            q, k, v = self.qkv[i](self.ln1[i](x)).split(self.d, dim=2)
            q = q.view(B, T, self.h, hd).transpose(1, 2)
            k = k.view(B, T, self.h, hd).transpose(1, 2)
            v = v.view(B, T, self.h, hd).transpose(1, 2)
            if i % 2 == 0:
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd)) + mask
                y = att.softmax(dim=-1) @ v
            else:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            y = y.transpose(1, 2).contiguous().view(B, T, self.d)
            x = x + self.proj[i](y)
            x = x + self.mlp[i](self.ln2[i](x))
        logits = self.head(self.lnf(x).reshape(B * T, self.d))
        return logits.view(B, T, -1)


class OpsReduce(nn.Module):
    """Reductions and sorting: topk, sort, argmax/argmin, max.dim, var/std/
    var_mean, vector norms, logsumexp, prod, cumprod, amin, sum/mean of all."""

    def forward(self, x):
        a = x.flatten(2)
        v, i = a.topk(3, dim=-1)
        s, si = torch.sort(a[:, 0], dim=-1, descending=True)
        mx, mi = a.max(dim=2)
        vv, vm = torch.var_mean(a, dim=2, keepdim=True)
        return (v, i, s, si, a.argmax(dim=-1), a.argmin(dim=1, keepdim=True), mx, mi,
                a.var(dim=-1), a.std(dim=1, unbiased=False), vv, vm,
                torch.linalg.vector_norm(a, ord=3, dim=-1), torch.linalg.vector_norm(a, dim=(1, 2)),
                torch.logsumexp(a, dim=-1), torch.prod(a[..., :4], dim=-1), torch.cumprod(a[..., :5], dim=-1),
                torch.amin(a, dim=(0, 2)), a.sum(), a.mean(), a.max())


class OpsMath(nn.Module):
    """Elementwise math: rounding, modulo and division modes, expm1/log1p/log2,
    atan2, sign, integer pow, clamp_min/max, bool bitwise ops, where with a scalar."""

    def forward(self, x):
        y = x.flip(0)
        m = x > 0
        k = (x * 10).to(torch.int64)
        return (torch.round(x * 3), torch.trunc(x * 3), torch.floor(x * 3), torch.ceil(x * 3), torch.sign(x),
                torch.remainder(x, 0.7), torch.fmod(x, 0.7), torch.floor_divide(x, 0.3),
                torch.div(x, 0.3, rounding_mode="trunc"), torch.div(k, 3, rounding_mode="floor"), k % 4, k // 3,
                torch.expm1(x), torch.log1p(x.abs()), torch.log2(x.abs() + 1), torch.atan2(x, y),
                k ** 2, x.clamp_min(-0.5), x.clamp_max(0.25), torch.clamp(x, min=y),
                (m & (x < 1)) | ~m, m ^ (y > 0), torch.where(m, x, 0.0), torch.where(m, 1.0, y),
                x.reciprocal(), torch.atan(x), x.type_as(k))


class OpsIndex(nn.Module):
    """Data movement and indexing: roll, flip, repeat, stack, unbind, narrow,
    gather, scatter (value, add, reduce), index_put, index_select, pixel_shuffle,
    einsum, baddbmm, tril/triu, chunk, unflatten."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(1)
        self.register_buffer("idx", torch.randint(0, 16, (2, 3, 5), generator=g))

    def forward(self, x):
        a = x.flatten(2)[..., :16]
        y = x.clone()
        y[torch.tensor([1])] = 0.5
        u0, u1, u2 = x.unbind(1)
        c0, c1 = x.chunk(2, dim=2)
        return (torch.roll(a, 3, dims=-1), torch.roll(x, (1, -2), dims=(2, 3)), a.flip(-1),
                x[:, :1].repeat(1, 2, 1, 1), torch.stack([u0, u2], dim=1), u1 * 2, x.narrow(2, 1, 3),
                torch.gather(a, 2, self.idx), a.scatter(2, self.idx, 1.5),
                torch.zeros(2, 3, 16).scatter_add(2, self.idx, a[..., :5]),
                a.scatter_reduce(2, self.idx, a[..., :5], reduce="amax"), y,
                torch.index_select(a, 1, torch.tensor([2, 0])),
                F.pixel_shuffle(x[:, :, :4, :4].repeat(1, 4, 1, 1), 2),
                torch.einsum("bchw,bdhw->bcd", x, x), torch.baddbmm(a[:, :, :3], a, a.transpose(1, 2), beta=0.5, alpha=2.0),
                torch.tril(x, -1), torch.triu(x, 2), c0 - c1, a.unflatten(2, (4, 4)))


class OpsNN(nn.Module):
    """nn ops: interpolation (bicubic, nearest, nearest-exact, trilinear), pads
    (reflect, replicate, circular), conv3d, 3-D pooling, adaptive 1-D pooling,
    instance and group norm, conv_transpose1d, max_pool2d ceil_mode."""

    def __init__(self):
        super().__init__()
        self.c3 = nn.Conv3d(3, 4, (1, 3, 3), padding=(0, 1, 1))
        self.ct1 = nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1)
        self.inorm = nn.InstanceNorm2d(3, affine=True)

    def forward(self, x):
        x5 = x.unsqueeze(2)
        a = x.flatten(2)
        return (F.interpolate(x, scale_factor=2.0, mode="bicubic", align_corners=False),
                F.interpolate(x, size=(5, 7), mode="nearest"), F.interpolate(x, scale_factor=2.0, mode="nearest-exact"),
                F.interpolate(x5, scale_factor=(1.0, 2.0, 2.0), mode="trilinear", align_corners=False),
                F.interpolate(a, size=20, mode="linear", align_corners=True),
                F.pad(x, (1, 2, 2, 1), mode="reflect"), F.pad(x, (1, 1, 1, 1), mode="replicate"),
                F.pad(x, (1, 1, 2, 0), mode="circular"), self.c3(x5), F.max_pool3d(x5, (1, 2, 2)),
                F.avg_pool3d(x5, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)), F.adaptive_avg_pool1d(a, 8),
                self.inorm(x), F.group_norm(x, 3), self.ct1(a[..., :10]), F.max_pool2d(x, 3, 2, ceil_mode=True))


class OpsBits(nn.Module):
    """Integer bitwise ops: and/or/xor/not and left/right shifts (.Tensor,
    .Scalar, Scalar_Tensor) on int64, int32 and uint8, with negative values
    (arithmetic right shift) and uint8 wrap-around."""

    def forward(self, x):
        k = (x * 10).to(torch.int64)
        j = (x * 7).to(torch.int32)
        u = (x.abs() * 40).to(torch.uint8)
        s = (x.abs() * 2).to(torch.int64)
        return (k & 5, k | j, k ^ (j * 3), ~k, ~j, k << 2, k >> 1, j >> 2, torch.bitwise_left_shift(k, s),
                torch.bitwise_right_shift(k, s), torch.bitwise_left_shift(3, s), u & 0x0F, u | j.abs().to(torch.uint8),
                ~u, u << 3, u >> 1, torch.bitwise_xor(j, 6), torch.bitwise_and(u, u >> 2))


class OpsIndexPut(nn.Module):
    """index_put with several index tensors, None between them and bool
    masks (accumulate false and true, duplicate indices when accumulating),
    and aten.index.Tensor with adjacent and non-adjacent index tensors."""

    def __init__(self):
        super().__init__()
        self.register_buffer("i0", torch.tensor([1, 0, 1]))
        self.register_buffer("i1", torch.tensor([2, 0, 2]))
        self.register_buffer("i2", torch.tensor([[3, 5, 7], [0, 1, 1]]))
        self.register_buffer("m2", torch.tensor([[True, False, True], [False, True, False]]))

    def forward(self, x):
        a = x.clone()
        a[self.i0, :, self.i1[:3]] = 2.5
        b = x.clone()
        b[x > 0.5] = -1.0
        c = torch.index_put(x, (self.i0, self.i1), x[0, 0, 0, :3, None, None] * 0 + 7.0, accumulate=True)
        d = x.clone()
        d[self.m2] = 0.25
        e = torch.index_put(x, (self.i0, None, self.i2[0, :3]), torch.ones(3, 8), accumulate=True)
        f = x.clone()
        f[:, self.i1, 2] = x[:, :3, 3]
        g = torch.index_put(x, (x < -0.5,), torch.full((), 2.0), accumulate=True)
        return (a, b, c, d, e, f, g, x[:, self.i1, :, self.i0], x[self.i0, :, self.i1], x[:, self.i1, self.i2[:, :3]],
                x[self.i0, self.i1], x[..., self.i2], x[:, :, self.i0, self.i1])


class OpsGridSample(nn.Module):
    """grid_sampler_2d in every mode (bilinear, nearest, bicubic), padding
    mode (zeros, border, reflection) and align_corners, with grid points
    outside [-1, 1]."""

    def forward(self, x, grid):
        outs = []
        for mode in ("bilinear", "nearest", "bicubic"):
            for pad in ("zeros", "border", "reflection"):
                for ac in (False, True):
                    outs.append(F.grid_sample(x, grid, mode=mode, padding_mode=pad, align_corners=ac))
        return tuple(outs)


# SymInt arguments, one candidate per entry: torch.export refuses some of
# them over a range (a guard it cannot prove for every size), so
# symint_model keeps the entries that export alone, and meta.json records
# the ones it dropped and why.
SYMINT_CASES = [
    ("roll_shift", lambda x, B, S: torch.roll(x, shifts=S // 2, dims=1)),
    ("unflatten_sizes", lambda x, B, S: x.reshape(B * S, 8).unflatten(0, (B, S))),
    ("narrow_length", lambda x, B, S: x.narrow(1, 1, S - 2)),
    ("narrow_start", lambda x, B, S: x.narrow(1, S // 2, S - S // 2)),
    ("select_last", lambda x, B, S: x[:, S - 1]),
    ("select_mid", lambda x, B, S: x.select(1, S // 2)),
    ("slice_start", lambda x, B, S: x[:, S // 2:]),
    ("slice_end_step", lambda x, B, S: x[:, 1:S - 1:2]),
    ("repeat_count", lambda x, B, S: x[:, :2].repeat(1, S, 1)),
    ("tile_count", lambda x, B, S: x[:, :2].tile((1, 1, S))),
    ("pad_amount", lambda x, B, S: F.pad(x, (1, 1, 0, S))),
    ("pad_last", lambda x, B, S: F.pad(x, (S, 0))),
    ("new_zeros", lambda x, B, S: x.new_zeros((B, S + 1))),
    ("new_full", lambda x, B, S: x.new_full((S, 2), 3.0)),
    ("new_ones", lambda x, B, S: x.new_ones((S * 2,))),
    ("view_minus1", lambda x, B, S: x.view(B, -1)),
    ("view_sym_minus1", lambda x, B, S: x.view(-1, S, 4, 2)),
    ("view_flat", lambda x, B, S: x.view(B * S, -1)),
]


class OpsSymInt(nn.Module):
    """SymInt arguments: roll shifts, unflatten sizes, narrow start/length,
    select/slice at symbolic positions, repeat/tile counts, pad amounts,
    new_zeros/new_full sizes, view with -1 and symbols; batch B and length S
    dynamic."""

    def __init__(self, cases=SYMINT_CASES):
        super().__init__()
        self.cases = list(cases)

    def forward(self, x):
        B, S = x.shape[0], x.shape[1]
        return tuple(f(x, B, S) for _, f in self.cases)


SYMINT_DYNAMIC = [{0: ("batch", 1, 4), 1: ("seq", 3, 12)}]


def symint_model():
    """OpsSymInt over the SYMINT_CASES that torch.export takes alone."""
    C.seed_all()
    args = tuple(torch.from_numpy(a) for a in symint_inputs()["s2"])
    keep, dropped = [], {}
    for name, f in SYMINT_CASES:
        try:
            export(OpsSymInt([(name, f)]).eval(), args, SYMINT_DYNAMIC)
            keep.append((name, f))
        except Exception as e:  # noqa: BLE001
            dropped[name] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    print(f"  symint cases kept: {[n for n, _ in keep]}; dropped: {dropped}", flush=True)
    SYMINT_KEPT["kept"], SYMINT_KEPT["dropped"] = [n for n, _ in keep], dropped
    return OpsSymInt(keep).eval(), "ATen ops: SymInt arguments"


SYMINT_KEPT = {}


class OpsRandom(nn.Module):
    """Random ops (compared by distribution, never by value): rand, randn,
    rand_like, randn_like, randint, normal, uniform_, bernoulli (.default,
    .p, bernoulli_), dropout in training mode."""

    def forward(self, p):
        n = p.shape
        y = torch.empty_like(p).uniform_(-2.0, 3.0)
        z = torch.empty_like(p).normal_(1.5, 0.5)
        w = p.clone()
        w.bernoulli_(0.3)
        return (torch.rand(n), torch.randn(n), torch.rand_like(p), torch.randn_like(p) * 2.0 + 1.0,
                torch.randint(-3, 7, n), torch.normal(2.0, 3.0, size=n), y, z, torch.bernoulli(p),
                torch.bernoulli(p, 0.7), w, F.dropout(p, 0.4, training=True))


# Distributions of OpsRandom's outputs, in order, for meta.json: the zoo
# test checks each by mean, variance and range against the sample size.
RANDOM_DISTS = [
    {"kind": "uniform", "low": 0.0, "high": 1.0}, {"kind": "normal", "mean": 0.0, "std": 1.0},
    {"kind": "uniform", "low": 0.0, "high": 1.0}, {"kind": "normal", "mean": 1.0, "std": 2.0},
    {"kind": "randint", "low": -3, "high": 7}, {"kind": "normal", "mean": 2.0, "std": 3.0},
    {"kind": "uniform", "low": -2.0, "high": 3.0}, {"kind": "normal", "mean": 1.5, "std": 0.5},
    {"kind": "bernoulli", "p_input": 0}, {"kind": "bernoulli", "p": 0.7}, {"kind": "bernoulli", "p": 0.3},
    {"kind": "dropout", "p": 0.4, "input": 0},
]


def nn_model(cls, note, *a, **kw):
    def build():
        C.seed_all()
        return prep(cls(*a, **kw)), note
    return build


def img(shape=(1, 3, 32, 32)):
    return lambda: {"default": [rng_image(shape)]}


def seq(shape):
    return lambda: {"default": [np.random.default_rng(0).standard_normal(shape).astype(np.float32)]}


def dec_inputs():
    r = np.random.default_rng(0)
    return {"default": [r.standard_normal((2, 6, 32)).astype(np.float32), r.standard_normal((2, 8, 32)).astype(np.float32)]}


def gpt_inputs():
    r = np.random.default_rng(0)
    return {s: [r.integers(0, 64, size=shape, dtype=np.int64)] for s, shape in
            (("s1", (1, 5)), ("s2", (2, 9)), ("s3", (4, 16)))}


def grid_inputs():
    r = np.random.default_rng(0)
    return {"default": [r.standard_normal((2, 2, 5, 6)).astype(np.float32),
                        r.uniform(-1.3, 1.3, size=(2, 4, 7, 2)).astype(np.float32)]}


def symint_inputs():
    r = np.random.default_rng(0)
    return {s: [r.standard_normal(shape).astype(np.float32)] for s, shape in
            (("s1", (1, 3, 8)), ("s2", (2, 6, 8)), ("s3", (4, 12, 8)))}


def prob_inputs():
    return {"default": [np.random.default_rng(0).uniform(0.0, 1.0, size=(8, 1024)).astype(np.float32)]}


SPECS = [
    dict(name="resnet", build=tv_resnet, inputs=img()),
    dict(name="mobilenet_v2", build=tv_mobilenet_v2, inputs=img()),
    dict(name="mobilenet_v3", build=tv_mobilenet_v3, inputs=img()),
    dict(name="efficientnet", build=tv_efficientnet, inputs=img()),
    dict(name="regnet", build=tv_regnet, inputs=img()),
    dict(name="shufflenet_v2", build=tv_shufflenet_v2, inputs=img()),
    dict(name="squeezenet", build=tv_squeezenet, inputs=img()),
    dict(name="mnasnet", build=tv_mnasnet, inputs=img()),
    dict(name="densenet", build=tv_densenet, inputs=img()),
    dict(name="convnext", build=tv_convnext, inputs=img()),
    dict(name="vit", build=tv_vit, inputs=img()),
    dict(name="swin", build=tv_swin, inputs=img()),
    dict(name="segnet", build=nn_model(SegNet, "FCN-style segmenter with bilinear upsampling"), inputs=img()),
    dict(name="unet", build=nn_model(UNet, "two-level UNet with ConvTranspose2d"), inputs=img()),
    dict(name="lstm", build=nn_model(RNNClassifier, "2-layer LSTM classifier, batch_first", "lstm", False), inputs=seq((2, 5, 8))),
    dict(name="gru_bi", build=nn_model(RNNClassifier, "2-layer bidirectional GRU classifier, batch_first", "gru", True), inputs=seq((2, 4, 8))),
    dict(name="transformer_encoder", build=nn_model(EncoderModel, "nn.TransformerEncoder, 2 layers, d 32, 2 heads"), inputs=seq((2, 6, 32))),
    dict(name="transformer_decoder", build=nn_model(DecoderModel, "nn.TransformerDecoder, 1 layer, causal tgt mask"), inputs=dec_inputs),
    dict(name="audio_conv1d", build=nn_model(AudioEncoder, "Conv1d audio encoder"), inputs=seq((2, 1, 256))),
    dict(name="ops_reduce", build=nn_model(OpsReduce, "ATen ops: reductions and sorting"), inputs=img((2, 3, 8, 8))),
    dict(name="ops_math", build=nn_model(OpsMath, "ATen ops: elementwise math"), inputs=img((2, 3, 8, 8))),
    dict(name="ops_index", build=nn_model(OpsIndex, "ATen ops: data movement, indexing, scatter"), inputs=img((2, 3, 8, 8))),
    dict(name="ops_nn", build=nn_model(OpsNN, "ATen ops: interpolation, padding, 3-D conv/pool, norms"), inputs=img((2, 3, 8, 8))),
    dict(name="gpt_dyn", build=nn_model(GPT, "GPT-style decoder, dynamic batch and sequence"), inputs=gpt_inputs,
         dynamic=[{0: ("batch", 1, 4), 1: ("seq", 2, 16)}], example="s2"),
    dict(name="ops_bits", build=nn_model(OpsBits, "ATen ops: integer bitwise and shifts"), inputs=img((2, 3, 4, 4))),
    dict(name="ops_indexput", build=nn_model(OpsIndexPut, "ATen ops: index_put and advanced indexing"), inputs=img((2, 3, 8, 8))),
    dict(name="ops_gridsample", build=nn_model(OpsGridSample, "ATen ops: grid_sampler_2d, every mode"), inputs=grid_inputs),
    dict(name="ops_symint", build=symint_model, inputs=symint_inputs, dynamic=SYMINT_DYNAMIC, example="s2",
         extra_meta=lambda: {"symint_cases": SYMINT_KEPT}),
    dict(name="ops_random", build=nn_model(OpsRandom, "ATen ops: random draws, compared by distribution"), inputs=prob_inputs,
         random=RANDOM_DISTS),
]


def target_name(target):
    if isinstance(target, (torch._ops.OpOverload, torch._ops.OpOverloadPacket)):
        return str(target)
    mod = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", None) or str(target)
    return f"{mod}.{name}" if mod else name


def op_counts(ep):
    c = collections.Counter(target_name(n.target) for n in ep.graph.nodes if n.op == "call_function")
    return dict(sorted(c.items()))


def run_program(ep, arrays):
    with torch.no_grad():
        return C.to_numpy_list(ep.module()(*[torch.from_numpy(a) for a in arrays]))


def check_close(tag, got, ref, diffs):
    if len(got) != len(ref):
        raise ValueError(f"{tag}: {len(got)} outputs vs {len(ref)} eager outputs")
    for i, (g, r) in enumerate(zip(got, ref)):
        d = C.max_abs_diff(g, r)
        diffs[f"{tag}/output_{i}"] = d
        if d > 1e-4 * max(1.0, float(np.abs(r).max()) if r.size else 1.0):
            raise ValueError(f"{tag}: output_{i} differs from eager by {d:.3g}")


def export(model, args, dynamic):
    if not dynamic:
        return torch.export.export(model, args), None
    Dim = torch.export.Dim
    specs, ranges = [], {}
    for per_input in dynamic:
        spec = {}
        for axis, (name, lo, hi) in per_input.items():
            spec[axis] = Dim(name, min=lo, max=hi)
            ranges[name] = [lo, hi]
        specs.append(spec)
    return torch.export.export(model, args, dynamic_shapes=tuple(specs)), ranges


def generate(spec, out_root, summary):
    name = spec["name"]
    print(f"\n=== zoo/{name} ===", flush=True)
    model, note = spec["build"]()
    input_sets = spec["inputs"]()
    with torch.no_grad():
        eager = {k: C.to_numpy_list(model(*[torch.from_numpy(a) for a in arrs])) for k, arrs in input_sets.items()}
    first = spec.get("example", next(iter(input_sets)))
    args = tuple(torch.from_numpy(a) for a in input_sets[first])
    nparams = sum(p.numel() for p in model.parameters())
    print(f"  {note}; {nparams} parameters", flush=True)

    ep, ranges = export(model, args, spec.get("dynamic"))
    d = C.ensure_dir(os.path.join(out_root, "zoo", name))
    gdir = C.ensure_dir(os.path.join(out_root, "graphs"))
    diffs = {}
    meta = {"name": name, "description": note, "parameters": nparams, "torch_version": torch.__version__,
            "seed": C.SEED, "reference": "eager PyTorch module (CPU, eval, no_grad)"}
    if spec.get("extra_meta"):
        meta.update(spec["extra_meta"]())
    if spec.get("random"):
        meta["compare"] = "distribution"
        meta["distributions"] = spec["random"]
    if ranges:
        meta["ranges"] = ranges
        meta["range_constraints"] = {str(k): str(v) for k, v in ep.range_constraints.items()}
    forms = [("model.pt2", ep, "")]
    try:
        forms.append(("model_decomposed.pt2", ep.run_decompositions(), "_decomposed"))
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        summary["failures"].append(f"{name} run_decompositions: {type(e).__name__}: {e}")
    meta["forms"] = {}
    for fname, prog, sfx in forms:
        try:
            # Source stack traces are a third of an archive's JSON and name
            # this machine's paths; trtc does not read them.
            for node in prog.graph.nodes:
                node.meta.pop("stack_trace", None)
            path = os.path.join(d, fname)
            torch.export.save(prog, path)
            size = os.path.getsize(path)
            if size >= MAX_ARCHIVE:
                os.remove(path)
                raise RuntimeError(f"{fname} is {size} bytes, over {MAX_ARCHIVE}")
            loaded = torch.export.load(path)
            for set_name, arrays in input_sets.items():
                if spec.get("random"):
                    # Random draws differ between runs: check that the
                    # reloaded program runs and keeps the output shapes.
                    got = run_program(loaded, arrays)
                    if [g.shape for g in got] != [e.shape for e in eager[set_name]]:
                        raise ValueError(f"{fname}: output shapes {[g.shape for g in got]} differ from eager")
                    continue
                check_close(f"{fname}:{set_name}", run_program(loaded, arrays), eager[set_name], diffs)
            C.write_text(os.path.join(gdir, f"{name}{sfx}.txt"), str(prog.graph))
            counts = op_counts(prog)
            meta["forms"][fname] = {"bytes": size, "nodes": sum(counts.values()), "op_counts": counts}
            print(f"  {fname}: {size} bytes, {sum(counts.values())} call_function nodes", flush=True)
            print(f"    ops: {counts}", flush=True)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            summary["failures"].append(f"{name} {fname}: {type(e).__name__}: {str(e)[:300]}")
    if not meta["forms"]:
        raise RuntimeError("no form of the program could be saved")

    input_names = list(ep.graph_signature.user_inputs)
    meta["inputs"], meta["sets"] = [], []
    for set_name, arrays in input_sets.items():
        sfx = "" if set_name == "default" else "_" + set_name
        files = {"inputs": {}, "expected": {}}
        for n, arr in zip(input_names, arrays):
            C.save_npy(os.path.join(d, f"{n}{sfx}.npy"), arr)
            files["inputs"][n] = f"{n}{sfx}.npy"
        for i, arr in enumerate(eager[set_name]):
            C.save_npy(os.path.join(d, f"expected{sfx}", f"output_{i}.npy"), arr)
            files["expected"][f"output_{i}"] = f"expected{sfx}/output_{i}.npy"
        meta["sets"].append({"name": set_name, "shapes": [list(a.shape) for a in arrays], **files})
    meta["input_names"] = input_names
    meta["max_abs_diff_vs_eager"] = diffs
    C.write_json(os.path.join(d, "meta.json"), meta)
    summary["ok"].append(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    torch.set_num_threads(4)
    print("versions:", C.versions(), flush=True)
    summary = {"ok": [], "failures": []}
    for spec in SPECS:
        if a.only and spec["name"] not in a.only:
            continue
        try:
            generate(spec, a.out, summary)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            summary["failures"].append(f"{spec['name']}: {type(e).__name__}: {str(e)[:300]}")
    print(f"\nzoo: {len(summary['ok'])} models generated: {summary['ok']}", flush=True)
    if summary["failures"]:
        print("ZOO FAILURES:\n  " + "\n  ".join(summary["failures"]), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Writes small torch.save checkpoints (and their expected contents as JSON) for the reader's tests
and as the fuzzers' seed corpus. Run with Debian's python3-torch (1.13):

    /usr/bin/python3 tests/fuzz/make_python_seeds.py tests/fuzz [../shared/fixtures/reference]

The outputs are committed, so the tests do not need Python. Each case exercises something real
checkpoints contain: shared storages and views, non-contiguous strides, offsets, every dtype,
module state dicts with _metadata, a wrapper dict, nn.Parameter values, pickle protocol 4.
"""
import collections
import json
import os
import sys

import torch

torch.manual_seed(0)

out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
corpus = os.path.join(out_dir, "corpus", "checkpoint")
expected = os.path.join(out_dir, "expected")
os.makedirs(corpus, exist_ok=True)
os.makedirs(expected, exist_ok=True)

DTYPES = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.float64: "F64",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
          torch.uint8: "U8", torch.bool: "BOOL"}


def describe(sd):
    out = {}
    for k, t in sd.items():
        if not isinstance(t, torch.Tensor):
            continue
        vals = t.detach().contiguous().reshape(-1)
        if t.dtype.is_floating_point:
            vals = [float(x) for x in vals.double().tolist()]
        else:
            vals = [int(x) for x in vals.long().tolist()]
        out[k] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "values": vals}
    return out


def save(name, obj, sd, **kw):
    torch.save(obj, os.path.join(corpus, name + ".pt"), **kw)
    with open(os.path.join(expected, name + ".json"), "w") as f:
        json.dump(describe(sd), f, indent=0, sort_keys=True)


g = torch.Generator().manual_seed(7)
base = torch.randn(3, 4, generator=g)
views = collections.OrderedDict()
views["base"] = base
views["transposed"] = base.t()                  # same storage, strides (1, 4)
views["rows_1_2"] = base[1:]                    # storage offset 4
views["column_1"] = base[:, 1]                  # stride 4, offset 1
views["every_other"] = base.reshape(-1)[::2]    # stride 2
views["expanded"] = torch.arange(3.0).expand(2, 3)  # stride 0
views["scalar"] = torch.tensor(2.5)
views["empty"] = torch.zeros(0, 3)
views["bf16"] = torch.randn(5, generator=g).to(torch.bfloat16)
views["f16"] = torch.randn(2, 2, generator=g).half()
views["f64"] = torch.randn(3, generator=g).double()
views["i64"] = torch.tensor([-(2 ** 40), -1, 0, 7], dtype=torch.int64)
views["i32"] = torch.tensor([-5, 2 ** 30], dtype=torch.int32)
views["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
views["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
views["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
views["bool"] = torch.tensor([True, False, True])
views["bf16_permuted"] = torch.randn(2, 3, 4, generator=g).to(torch.bfloat16).permute(2, 0, 1)
save("py_views", views, views)

net = torch.nn.Sequential(collections.OrderedDict(
    lin=torch.nn.Linear(4, 3), norm=torch.nn.LayerNorm(3), bn=torch.nn.BatchNorm1d(3)))
sd = net.state_dict()                           # OrderedDict with _metadata, num_batches_tracked
save("py_module", sd, sd)

wrapped = {"model": sd, "step": 1234, "lr": 1e-4, "name": "run-1",
           "config": {"layers": [1, 2], "none": None, "flag": True}}
save("py_wrapped", wrapped, sd)

params = {"w": torch.nn.Parameter(torch.randn(2, 2, generator=g)), "b": torch.nn.Parameter(torch.zeros(2))}
save("py_params", params, params)

small = collections.OrderedDict(a=torch.arange(6, dtype=torch.float32).reshape(2, 3), b=torch.ones(2, dtype=torch.bfloat16))
save("py_protocol4", small, small, pickle_protocol=4)

torch.save(small, os.path.join(corpus, "py_legacy.pt"), _use_new_zipfile_serialization=False)

# The reference fixture's structure (keys, _metadata, pickle layout) with every tensor cut to at most
# 2 elements per dimension, and the same again with storages tagged 'cuda:0' as GPU-saved files are.
fixtures = sys.argv[2] if len(sys.argv) > 2 else None
if fixtures:
    full = torch.load(os.path.join(fixtures, "trm_att_bf16", "checkpoint.pt"))
    mini = collections.OrderedDict((k, v[tuple(slice(0, 2) for _ in v.shape)].clone()) for k, v in full.items())
    mini._metadata = full._metadata
    save("mini_trm_att_bf16", mini, mini)
    real_tag = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: "cuda:0"
    try:
        save("mini_trm_att_bf16_cuda", mini, mini)
    finally:
        torch.serialization.location_tag = real_tag
print("wrote", sorted(os.listdir(corpus)))

"""The last-position graph (sim.graph) must reproduce the original graph bit for bit."""

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from pidtune.controllers.pid import OFFICIAL_PID_GAINS, PIDFamily  # noqa: E402
from pidtune.errors import PidtuneError  # noqa: E402
from pidtune.sim.constants import CONTEXT, VOCAB, encode  # noqa: E402
from pidtune.sim.graph import last_position_model  # noqa: E402
from pidtune.sim.model import TinyPhysicsModel, sample_tokens  # noqa: E402
from pidtune.sim.rollout import rollout  # noqa: E402
from pidtune.sim.segments import load_segments  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "tinyphysics"
MODEL = SHARED / "models" / "tinyphysics.onnx"
DATA = SHARED / "data"


@pytest.fixture(scope="module")
def raw():
    if not MODEL.is_file():  # like conftest: missing assets fail loudly, never skip
        pytest.fail(f"shared assets missing: {MODEL}")
    return MODEL.read_bytes()


@pytest.fixture(scope="module")
def models(raw):
    return TinyPhysicsModel(MODEL), TinyPhysicsModel(MODEL, model_bytes=last_position_model(raw, MODEL))


@pytest.fixture(scope="module")
def segs():
    return load_segments(DATA, num_segs=4)


def random_inputs(batch, rng):
    states = np.empty((batch, CONTEXT, 4), dtype=np.float32)
    states[..., 0] = rng.uniform(-2, 2, (batch, CONTEXT))  # action
    states[..., 1] = rng.uniform(-1, 1, (batch, CONTEXT))  # roll_lataccel
    states[..., 2] = rng.uniform(0, 40, (batch, CONTEXT))  # v_ego
    states[..., 3] = rng.uniform(-3, 3, (batch, CONTEXT))  # a_ego
    tokens = rng.integers(0, VOCAB, (batch, CONTEXT), dtype=np.int64)
    return states, tokens


def segment_inputs(segs, rows):
    """Context windows of logged data (steer, roll, v, a; target tokens) ending at each row."""
    states, tokens = [], []
    for s in range(len(segs)):
        for k in rows:
            w = slice(k - CONTEXT + 1, k + 1)
            columns = (segs.steer, segs.roll_lataccel, segs.v_ego, segs.a_ego)
            states.append(np.stack([c[s, w] for c in columns], axis=-1))
            tokens.append(encode(segs.target[s, k - CONTEXT : k]))
    return np.array(states, dtype=np.float32), np.array(tokens, dtype=np.int64)


def assert_same(models, states, tokens, rng):
    original, derived = models
    a = original.last_logits(states, tokens)
    b = derived.last_logits(states, tokens)
    assert b.shape == a.shape == (len(states), VOCAB)
    assert a.tobytes() == b.tobytes()  # bit-identical, not merely close
    u = rng.random(len(states))
    assert np.array_equal(sample_tokens(a, u), sample_tokens(b, u))


@pytest.mark.parametrize("batch", [1, 3, 64, 257])
def test_logits_identical_on_random_inputs(models, batch):
    rng = np.random.default_rng(batch)
    assert_same(models, *random_inputs(batch, rng), rng)


def test_logits_identical_on_logged_windows(models, segs):
    assert_same(models, *segment_inputs(segs, range(CONTEXT, 400, 37)), np.random.default_rng(0))


def test_derived_output_is_last_position_only(raw, models):
    derived = onnx.load_from_string(last_position_model(raw))
    dims = [d.dim_value or d.dim_param for d in derived.graph.output[0].type.tensor_type.shape.dim]
    assert dims[1:] == [1, VOCAB]
    states, tokens = random_inputs(2, np.random.default_rng(1))
    out = models[1].session.run(None, {"states": states, "tokens": tokens})[0]
    assert out.shape == (2, 1, VOCAB)


def test_rollout_costs_identical(models, segs):
    n = len(segs)
    results = [
        rollout(m, segs, np.arange(n), PIDFamily().build(np.tile(OFFICIAL_PID_GAINS, (n, 1)))) for m in models
    ]
    for field in ("lataccel_cost", "jerk_cost", "total_cost"):
        assert np.array_equal(getattr(results[0], field), getattr(results[1], field))


def _tiny_model():
    from onnx import TensorProto, helper, numpy_helper

    w = numpy_helper.from_array(np.zeros((4, VOCAB), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["states", "w"], ["output"], name="/lm_head/MatMul")],
        "tiny",
        [helper.make_tensor_value_info("states", TensorProto.FLOAT, ["b", CONTEXT, 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["b", CONTEXT, VOCAB])],
        [w],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]).SerializeToString()


def _mutated(raw, edit):
    model = onnx.load_from_string(raw)
    edit(model.graph)
    return model.SerializeToString()


def _reduce_over_positions(graph):
    node = next(n for n in graph.node if n.name == "/layer_norm_f/ReduceMean")
    del node.attribute[:]
    node.attribute.append(onnx.helper.make_attribute("axes", [1]))


def _rename_c_proj(graph):
    next(n for n in graph.node if n.name == "/h.3/attn/c_proj/MatMul").name = "/h.3/attn/proj"


@pytest.mark.parametrize(
    "make, why",
    [
        (lambda raw: b"not an onnx model", "not an ONNX model"),
        (lambda raw: _tiny_model(), "no transformer blocks"),
        (lambda raw: _mutated(raw, _rename_c_proj), "c_proj"),
        (lambda raw: _mutated(raw, _reduce_over_positions), "reduces over axes"),
        (lambda raw: last_position_model(raw), "residual Add"),  # already derived
    ],
)
def test_wrong_structure_raises(raw, make, why):
    with pytest.raises(PidtuneError, match=why) as info:
        last_position_model(make(raw), "some/model.onnx")
    assert "some/model.onnx" in str(info.value)

"""Derive a last-position-only TinyPhysics graph that gives bit-identical logits.

The simulator reads only the last position's logits, yet the exported graph runs the
final block's c_proj, MLP, final layer norm and lm_head (most of its cost) for all 20
positions. ``last_position_model`` slices, in the final block, the attention output
(the input of ``attn/c_proj``) and the residual to the last position, so everything
from c_proj on runs for one position, and the graph returns logits [B, 1, VOCAB]
(``TinyPhysicsModel.last_logits`` reads ``[:, -1, :]`` of that, like the original).

Why cut there and not at the query: every kernel that remains computes row by row
(MatMul over the hidden size, layer norms, element-wise ops), so fewer rows leave each
row's rounding unchanged. Slicing the query instead turns softmax @ V into an M=1
MatMul, which onnxruntime computes with a different accumulation order (logits then
differ in the last bits). Tests check bit-equality against the original graph.
"""

from __future__ import annotations

import numpy as np

from pidtune.errors import PidtuneError

# Ops through which "one row in, one row out" holds along the sequence axis, given
# inputs that are the sliced tensors or constants broadcasting only on the last axis.
_ELEMENTWISE = {"Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Tanh", "Erf", "Relu", "Sigmoid", "Identity"}
_INT64_MAX = np.iinfo(np.int64).max


def last_position_model(model_bytes: bytes, source=None) -> bytes:
    """Return the serialized graph computing only the last position's logits.

    ``source`` (a path or name) only labels error messages. Raises ``PidtuneError``
    when the graph is not shaped like the TinyPhysics GPT; callers then keep the
    original graph.
    """
    label = f"model file {source}" if source is not None else "model"
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        raise PidtuneError(
            f"{label}: deriving the last-position graph needs the onnx package "
            "(`pip install 'pidtune[fast]'`)"
        ) from None

    def fail(why: str) -> PidtuneError:
        return PidtuneError(f"{label}: cannot derive a last-position graph ({why})")

    try:
        model = onnx.load_from_string(model_bytes)
    except Exception as exc:  # protobuf raises its own error types for bad bytes
        raise fail(f"not an ONNX model: {exc.__class__.__name__}") from None
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < 10:
        raise fail(f"opset {opset} < 10 has no Slice with tensor inputs")
    if len(graph.output) != 1:
        raise fail(f"{len(graph.output)} graph outputs, expected 1")
    out_name = graph.output[0].name
    if len(graph.output[0].type.tensor_type.shape.dim) != 3:
        raise fail(f"graph output {out_name} is not declared as [batch, positions, vocab]")

    producer = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    initializers = {t.name: t for t in graph.initializer}
    constants = {
        n.output[0]: n.attribute[0].t
        for n in graph.node
        if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value"
    }

    def const_array(name):
        if name in initializers:
            return numpy_helper.to_array(initializers[name])
        if name in constants:
            return numpy_helper.to_array(constants[name])
        return None

    # The final block: the highest N among node names "/h.N/...".
    blocks = set()
    for n in graph.node:
        parts = n.name.split("/")
        if len(parts) > 2 and parts[0] == "" and parts[1].startswith("h.") and parts[1][2:].isdigit():
            blocks.add(int(parts[1][2:]))
    if not blocks:
        raise fail("no transformer blocks named /h.N/")
    prefix = f"/h.{max(blocks)}"

    def node_named(name, op_type):
        found = [n for n in graph.node if n.name == name]
        if len(found) != 1 or found[0].op_type != op_type:
            raise fail(f"no single {op_type} node {name}")
        return found[0]

    c_proj = node_named(f"{prefix}/attn/c_proj/MatMul", "MatMul")
    ln_in = node_named(f"{prefix}/attn/layer_norm/ReduceMean", "ReduceMean")
    block_input = ln_in.input[0]
    proj_out = c_proj.output[0]
    residual = [n for n in consumers.get(proj_out, []) if n.op_type == "Add"]
    if len(consumers.get(proj_out, [])) != 1 or len(residual) != 1:
        raise fail(f"{prefix}/attn/c_proj output does not feed one residual Add")
    residual_add = residual[0]
    if sorted(residual_add.input) != sorted([block_input, proj_out]):
        raise fail(f"{prefix} residual Add does not add the block input to the attention output")
    # The attention output [B, T, C] must come from the head merge (Reshape of [B, T, H, D]).
    merge = producer.get(c_proj.input[0])
    if merge is None or merge.op_type != "Reshape":
        raise fail(f"{prefix}/attn/c_proj does not read the merged heads of a Reshape")

    # Everything downstream of the cut must be position-wise, reading only downstream
    # tensors, the sliced residual, or constants that broadcast along the last axis.
    # (Only the residual Add may read the block input: it is the one input we slice.)
    weight = const_array(c_proj.input[1])
    if weight is None or weight.ndim != 2:
        raise fail(f"{prefix}/attn/c_proj has no constant 2-D weight")
    downstream = {proj_out}
    for n in graph.node:  # ONNX requires topological order
        if not any(i in downstream for i in n.input):
            continue
        if n is not residual_add:
            _check_position_wise(n, downstream, const_array, helper, fail)
        downstream.update(n.output)
    if out_name not in downstream:
        raise fail(f"graph output {out_name} does not depend on {prefix}/attn/c_proj")

    # Slice [B, T, C] -> [B, 1, C] on axis 1 (starts -1, ends int64 max).
    def add_int64(name, value):
        graph.initializer.append(numpy_helper.from_array(np.array(value, dtype=np.int64), name))
        return name

    starts = add_int64("/last_position/starts", [-1])
    ends = add_int64("/last_position/ends", [_INT64_MAX])
    axes = add_int64("/last_position/axes", [1])
    cuts = []
    for consumer, index, src, dst in (
        (c_proj, 0, c_proj.input[0], "/last_position/attn_out"),
        (residual_add, list(residual_add.input).index(block_input), block_input, "/last_position/residual"),
    ):
        cuts.append((consumer, helper.make_node("Slice", [src, starts, ends, axes], [dst], name=dst)))
        consumer.input[index] = dst
    for consumer, slice_node in cuts:
        graph.node.insert(list(graph.node).index(consumer), slice_node)

    # Declared shapes downstream of the cut are now wrong on axis 1: fix the output's,
    # drop intermediate value_info. Do not store inferred shapes either: extra static
    # shape knowledge lets onnxruntime fuse Add + LayerNorm into SkipLayerNormalization,
    # which rounds differently from the original graph.
    dims = graph.output[0].type.tensor_type.shape.dim
    dims[1].Clear()
    dims[1].dim_value = 1
    kept = [vi for vi in graph.value_info if vi.name not in downstream]
    del graph.value_info[:]
    graph.value_info.extend(kept)

    try:
        onnx.checker.check_model(model)
        onnx.shape_inference.infer_shapes(model, strict_mode=True)  # a check only, result unused
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise fail(f"derived graph does not check: {first[:200]}") from None
    return model.SerializeToString()


def _check_position_wise(node, tensor_inputs, const_array, helper, fail):
    """Fail unless ``node`` maps each sequence position independently."""
    op = node.op_type
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    for k, name in enumerate(node.input):
        if name == "" or name in tensor_inputs:
            continue
        value = const_array(name)
        if value is None:
            raise fail(f"{node.name} reads {name}, computed upstream of the cut for all positions")
        # Only a MatMul weight may be 2-D; other constants must broadcast along the last axis.
        is_weight = op == "MatMul" and k == 1 and value.ndim == 2
        if value.ndim > 1 and not is_weight:
            raise fail(f"{node.name} reads a constant of shape {value.shape}")
    if op in _ELEMENTWISE:
        return
    if op == "MatMul":
        if node.input[1] in tensor_inputs:
            raise fail(f"{node.name} multiplies two computed tensors")
        return
    if op == "ReduceMean":
        axes = attrs.get("axes")
        if axes is None and len(node.input) > 1:
            axes = const_array(node.input[1]).tolist()
        if axes is None or [int(a) for a in np.ravel(axes)] not in ([-1], [2]) or attrs.get("keepdims", 1) != 1:
            raise fail(f"{node.name} reduces over axes {axes}, expected the last")
        return
    if op == "LayerNormalization":
        if attrs.get("axis", -1) not in (-1, 2):
            raise fail(f"{node.name} normalizes over axis {attrs.get('axis')}")
        return
    raise fail(f"{node.name} is a {op}, not known to be position-wise")

"""The TinyPhysics ONNX model: session set-up, validation and batched token sampling."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from pidtune.errors import PidtuneError, PidtuneUsageError
from pidtune.sim.constants import BINS, TEMPERATURE, VOCAB

OFFICIAL_MODEL_SHA256 = "5beca7f07a3e9b183b4aa0402c780ddbc985416fe50ca788017b09705b4d0705"
INPUT_NAMES = ("states", "tokens")
DEVICES = ("cpu", "cuda")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def providers_for(device: str) -> list[str]:
    import onnxruntime as ort

    if device == "cpu":
        return ["CPUExecutionProvider"]
    if device == "cuda":
        if "CUDAExecutionProvider" not in ort.get_available_providers():
            raise PidtuneUsageError(
                "--device cuda: onnxruntime's CUDA provider is not available "
                f"(providers: {', '.join(ort.get_available_providers())}); "
                "install it with `pip install 'pidtune[gpu]'` on a machine with an NVIDIA GPU"
            )
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    raise PidtuneUsageError(f"--device must be one of {', '.join(DEVICES)}, got {device!r}")


class TinyPhysicsModel:
    """One ONNX Runtime session over the simulator, single-threaded like the official tool.

    ``model_bytes`` lets a caller pass an equivalent derived graph (see ``sim.graph``)
    while ``path`` still names the file in messages.
    """

    def __init__(self, path, device: str = "cpu", threads: int = 1, model_bytes: bytes | None = None):
        import onnxruntime as ort

        self.path = Path(path)
        if model_bytes is None:
            if self.path.is_dir():
                raise PidtuneError(f"model file {self.path} is a folder, not an .onnx file")
            if not self.path.is_file():
                raise PidtuneError(f"model file {self.path} does not exist (get it with `pidtune download`)")
            try:
                model_bytes = self.path.read_bytes()
            except OSError as exc:
                raise PidtuneError(f"model file {self.path}: cannot read ({exc.strerror})") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(model_bytes, options, providers=providers_for(device))
        except PidtuneError:
            raise
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            raise PidtuneError(f"model file {self.path} is not a valid ONNX model ({first[:200]})") from None
        names = tuple(i.name for i in self.session.get_inputs())
        if sorted(names) != sorted(INPUT_NAMES):
            raise PidtuneError(
                f"model file {self.path} has inputs {', '.join(names) or 'none'}; "
                f"a TinyPhysics model takes {', '.join(INPUT_NAMES)}"
            )
        self.device = device

    def last_logits(self, states: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """Logits [B, VOCAB] (float32) of the last context position."""
        out = self.session.run(None, {"states": states, "tokens": tokens})[0]
        if out.ndim == 3:
            out = out[:, -1, :]
        if out.shape[-1] != VOCAB:
            raise PidtuneError(f"model file {self.path} returns {out.shape[-1]} logits per position, expected {VOCAB}")
        return out


def sample_tokens(last_logits: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Sample one token per row exactly as ``np.random.choice(p=softmax(logits / T))`` does."""
    scaled = last_logits / np.float32(TEMPERATURE)
    e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    probs = e / e.sum(axis=-1, keepdims=True)  # float32, as in the official softmax
    cdf = np.cumsum(probs.astype(np.float64), axis=-1)
    cdf /= cdf[:, -1:]
    # searchsorted(cdf, u, side='right') == number of cdf entries <= u (cdf is non-decreasing)
    return (cdf <= uniforms[:, None]).sum(axis=-1)


def decode(tokens: np.ndarray) -> np.ndarray:
    return BINS[tokens]

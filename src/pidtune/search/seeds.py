"""Seeds derived from one seed per purpose (stage, round), never shared between purposes.

Derivation goes through NumPy's SeedSequence, so streams for different keys are
independent and a resumed run re-derives exactly the streams the first run used.
"""

from __future__ import annotations

import zlib

import numpy as np


def fresh_seed() -> int:
    """A seed from OS entropy, for flags left unset (recorded, so a run can be resumed)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint32)[0])


def derive_seed(seed: int, *keys: str | int) -> int:
    spawn_key = tuple(k if isinstance(k, int) else zlib.crc32(k.encode()) for k in keys)
    return int(np.random.SeedSequence(seed, spawn_key=spawn_key).generate_state(1, np.uint32)[0])


def derived_rng(seed: int, *keys: str | int) -> np.random.Generator:
    return np.random.default_rng(derive_seed(seed, *keys))

"""Command-line arguments the search benchmarks share: assets (default: the shared mirror), workers, seed."""

from __future__ import annotations

import argparse
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1].parent / "shared" / "tinyphysics"


def search_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model-path", type=Path, default=ASSETS / "models" / "tinyphysics.onnx")
    parser.add_argument("--data-dir", type=Path, default=ASSETS / "data")
    parser.add_argument("-j", "--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    return parser

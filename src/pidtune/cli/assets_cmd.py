"""`pidtune download` and `pidtune doctor` (alias `info`): get, verify and inspect the assets."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import click

from pidtune.assets import FetchOptions, install_data, install_model, resolve_source
from pidtune.assets.doctor import doctor_report
from pidtune.assets.fetch import DEFAULT_RETRIES, DEFAULT_TIMEOUT, RETRIES_ENV, TIMEOUT_ENV
from pidtune.assets.sources import MODEL_FILE, SOURCE_ENV, refuse_network_when_offline
from pidtune.cli.app import cli, shared_options
from pidtune.config import RunConfig
from pidtune.errors import PidtuneUsageError
from pidtune.progress import stderr_console


@cli.command("download")
@click.option("--dest", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
              help="Write DIR/models/tinyphysics.onnx and DIR/data/ (default: --model-path and --data-dir).")
@click.option("--model-only", is_flag=True, help="Only the model.")
@click.option("--data-only", is_flag=True, help="Only the dataset.")
@click.option("--num-segs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Keep only the first N segments (by file name), for a quick start.")
@click.option("--from", "source", default=None, envvar=SOURCE_ENV, metavar="SOURCE",
              help=f"A URL (base, .onnx or .zip), a folder with models/ and data/, or a .zip "
                   f"[env {SOURCE_ENV}; default: the official homes].")
@click.option("--force", is_flag=True, help="Replace a model or data folder that is already there.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, envvar=TIMEOUT_ENV,
              show_default=True, help=f"Seconds to wait for an answer [env {TIMEOUT_ENV}].")
@click.option("--retries", type=click.IntRange(min=0), default=DEFAULT_RETRIES, envvar=RETRIES_ENV,
              show_default=True, help=f"Further attempts after a transient failure [env {RETRIES_ENV}].")
@shared_options
def download_command(config: RunConfig, dest, model_only, data_only, num_segs, source, force, timeout, retries):
    """Fetch the TinyPhysics model and the dataset, verify them and put them in place.

    The model's sha256 must be the official one; the dataset zip is extracted into a
    temporary folder beside the destination and moved into place only when complete.

    \b
    Example:
      pidtune download                        # ./models/tinyphysics.onnx and ./data/ (about 0.6 GB)
      pidtune download --data-only --num-segs 100
      pidtune download --from ../mirror --dest ~/tinyphysics
      pidtune download --from SYNTHETIC_V0.zip --data-only
    """
    if model_only and data_only:
        raise PidtuneUsageError("--model-only and --data-only exclude each other (give neither for both)")
    if num_segs is not None and model_only:
        raise PidtuneUsageError("--num-segs applies to the dataset; it makes no sense with --model-only")
    model_path = dest / "models" / MODEL_FILE if dest else config.model_path
    data_dir = dest / "data" if dest else config.data_dir
    resolved = resolve_source(source)
    jobs = []
    if not data_only:
        jobs.append(("model", resolved.model_location()))
    if not model_only:
        jobs.append(("data", resolved.data_location()))
    for _, location in jobs:
        refuse_network_when_offline(location, config.offline)
    options = FetchOptions(timeout=timeout, retries=retries, progress=config.verbosity > 0)
    for kind, location in jobs:
        if kind == "model":
            note = install_model(location, model_path, options, force=force)
        else:
            note = install_data(location, data_dir, options, num_segs=num_segs, force=force)
        if config.verbosity > 0:
            stderr_console.print(note, markup=False, soft_wrap=True)


@cli.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON to stdout.")
@shared_options
def doctor_command(config: RunConfig, as_json):
    """Where the model and data are, whether they check out, and what runtime pidtune sees (alias: info).

    \b
    Example:
      pidtune doctor
      pidtune --data-dir ~/tinyphysics/data doctor --json
    """
    report = doctor_report(config)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_report(report)


info_command = copy.copy(doctor_command)  # same command, its own one-line listing
info_command.short_help = "Same as doctor."
cli.add_command(info_command, "info")


def _print_report(report: dict) -> None:
    model, data, ort = report["model"], report["data"], report["onnxruntime"]
    if model["exists"] and "sha256" in model:
        verdict = "official" if model["official"] else "NOT the official model"
        lines = [f"model       {model['path']} ({model['size']:,} bytes, {verdict})", f"  sha256    {model['sha256']}"]
    else:
        lines = [f"model       {model['path']} ({'missing' if not model['exists'] else 'unreadable'})"]
    span = f", {data['first']} .. {data['last']}" if data["segments"] else ""
    extras = ", ".join(f"{name} {version or '(not installed)'}" for name, version in report["extras"].items())
    lines += [
        f"data        {data['path']} ({data['segments']} segments{span})",
        f"onnxruntime {ort['version']} (providers: {', '.join(ort['providers']) or 'none'})",
        f"cores       {report['cores']['usable']} usable of {report['cores']['cpu_count']}",
        f"extras      {extras}",
        f"python      {report['python']}, pidtune {report['pidtune']}, offline: {report['offline']}",
    ]
    lines += [f"problem: {problem}" for problem in report["problems"]]
    click.echo("\n".join(lines))

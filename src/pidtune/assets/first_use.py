"""Fetch missing assets at their default locations the first time a command needs them."""

from __future__ import annotations

from pathlib import Path

from pidtune.assets.fetch import FetchOptions
from pidtune.assets.install import install_data, install_model
from pidtune.assets.sources import SOURCE_ENV, SOURCE_HELP, default_source_text, refuse_network_when_offline, resolve_source
from pidtune.config import RunConfig
from pidtune.errors import PidtuneError
from pidtune.progress import stderr_console


def is_missing(path: Path) -> bool:
    """Absent, or an empty folder (a data/ made by hand but never filled)."""
    path = Path(path)
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def ensure_assets(config: RunConfig, model: bool = False, data: bool = False) -> None:
    """Fetch the model and/or data if they are missing at the default locations.

    Paths the user gave are never fetched into: the loaders then report them missing.
    Offline, stop with a message that says how to get them.
    """
    wanted = [(field, path) for field, path, needed in (("model_path", config.model_path, model),
                                                       ("data_dir", config.data_dir, data))
              if needed and is_missing(path) and config.fetchable(field)]
    if not wanted:
        return
    source = resolve_source(default_source_text())
    locations = {field: source.model_location() if field == "model_path" else source.data_location()
                 for field, _ in wanted}
    for field, path in wanted:
        what = "model" if field == "model_path" else "data folder"
        try:
            refuse_network_when_offline(locations[field], config.offline)
        except PidtuneError:
            raise PidtuneError(f"{what} {path} is missing and offline mode is on (--offline / PIDTUNE_OFFLINE=1); "
                               f"get it with `pidtune download --from SOURCE` ({SOURCE_HELP})") from None
    options = FetchOptions.from_env(progress=config.verbosity > 0)
    for field, path in wanted:
        what = "the model" if field == "model_path" else "the dataset"
        if config.verbosity > 0:
            stderr_console.print(f"{path} is missing: fetching {what} from {locations[field]} "
                                 f"(set {SOURCE_ENV} for a mirror, --offline to stop this)", markup=False, soft_wrap=True)
        try:
            if field == "model_path":
                note = install_model(locations[field], path, options)
            else:
                note = install_data(locations[field], path, options)
        except PidtuneError as exc:
            raise PidtuneError(f"{exc} (while fetching {path} on first use; to fetch by hand: "
                               f"`pidtune download --from SOURCE`, SOURCE being {SOURCE_HELP})") from None
        if config.verbosity > 0:
            stderr_console.print(note, markup=False, soft_wrap=True)

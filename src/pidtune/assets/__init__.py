"""Assets: locating, downloading, verifying and extracting the TinyPhysics model and dataset.

- ``sources``: what a SOURCE (official, URL, folder, zip) provides
- ``fetch``: one file into a temporary file beside its destination (timeouts, retries, progress)
- ``install``: verify and move into place (model sha256, zip extraction, CSV headers)
- ``first_use``: fetch what a command needs when it is missing at the default locations
- ``doctor``: the report behind `pidtune doctor`
"""

from pidtune.assets.fetch import FetchOptions
from pidtune.assets.first_use import ensure_assets
from pidtune.assets.install import install_data, install_model
from pidtune.assets.sources import OFFICIAL_DATA_URL, OFFICIAL_MODEL_URL, AssetSource, resolve_source

__all__ = ["FetchOptions", "ensure_assets", "install_data", "install_model", "resolve_source", "AssetSource",
           "OFFICIAL_DATA_URL", "OFFICIAL_MODEL_URL"]

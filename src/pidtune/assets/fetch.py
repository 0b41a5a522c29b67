"""Get one source file into a hidden temporary file beside its destination: streamed, timed out, retried.

The caller verifies the temporary file and renames it into place; whatever happens
before that (an error, Ctrl-C), the temporary file is removed, so no partial file is
ever left where a real one belongs.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pidtune import __version__
from pidtune.assets.sources import Location, is_url
from pidtune.errors import PidtuneError
from pidtune.progress import bytes_bar

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
TIMEOUT_ENV = "PIDTUNE_DOWNLOAD_TIMEOUT"
RETRIES_ENV = "PIDTUNE_DOWNLOAD_RETRIES"
TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}  # worth another try; any other HTTP error is final
CHUNK = 1 << 16


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = DEFAULT_TIMEOUT  # seconds without an answer (connect or any read)
    retries: int = DEFAULT_RETRIES  # further attempts after a transient failure
    backoff: float = 1.0  # seconds before the first retry, doubled before each next one
    progress: bool = True

    @classmethod
    def from_env(cls, progress: bool = True) -> "FetchOptions":
        """Options for first-use fetching, where there are no flags: the env vars `download` also reads."""
        try:
            timeout = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
            retries = int(os.environ.get(RETRIES_ENV, DEFAULT_RETRIES))
        except ValueError:
            raise PidtuneError(f"{TIMEOUT_ENV} must be seconds and {RETRIES_ENV} a whole number") from None
        if timeout <= 0 or retries < 0:
            raise PidtuneError(f"{TIMEOUT_ENV} must be > 0 and {RETRIES_ENV} >= 0")
        return cls(timeout=timeout, retries=retries, progress=progress)


class _Transient(Exception):
    """A failure that another attempt may not repeat (timeout, reset, 5xx, short body)."""


@contextmanager
def staged_copy(location: Location, folder: Path, options: FetchOptions):
    """Yield a temporary file in ``folder`` holding the bytes of ``location`` (URL or local file).

    The file is removed on exit unless the caller has renamed it into place.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{_base_name(location)}.", suffix=".part")
    except OSError as exc:
        raise PidtuneError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            if is_url(location):
                _download(location, fh, tmp, options)
            else:
                _copy_local(Path(location), fh, tmp)
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def readable_file(location: Location, folder: Path, options: FetchOptions):
    """A local path to read ``location`` from: the file itself if local, else a staged download."""
    if is_url(location):
        with staged_copy(location, folder, options) as tmp:
            yield tmp
    else:
        yield Path(location)


def _base_name(location: Location) -> str:
    return str(location).rstrip("/").rsplit("/", 1)[-1] or "download"


def _copy_local(source: Path, fh, tmp: Path) -> None:
    try:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, fh, CHUNK)
    except OSError as exc:
        raise PidtuneError(f"cannot copy {source} to {tmp.parent}: {exc.strerror or exc}") from None


def _download(url: str, fh, tmp: Path, options: FetchOptions) -> None:
    attempts = options.retries + 1
    with bytes_bar(_base_name(url), enabled=options.progress) as update:
        for attempt in range(1, attempts + 1):
            fh.seek(0)
            fh.truncate()
            try:
                _attempt(url, fh, tmp, options.timeout, update)
                return
            except _Transient as exc:
                reason = str(exc)
            except urllib.error.HTTPError as exc:
                reason = f"HTTP {exc.code} {exc.reason}"
                if exc.code not in TRANSIENT_STATUS:
                    raise PidtuneError(f"download of {url} failed: {reason}") from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                reason = _describe(exc, options.timeout)
                if isinstance(getattr(exc, "reason", exc), socket.gaierror):
                    break  # an unknown host (or no network) does not heal in seconds
            if attempt < attempts:
                time.sleep(options.backoff * 2 ** (attempt - 1))
    tries = f" (tried {attempt} times)" if attempt > 1 else ""
    raise PidtuneError(f"download of {url} failed: {reason}{tries}")


def _attempt(url: str, fh, tmp: Path, timeout: float, update) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": f"pidtune/{__version__}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length", "")
        total = int(length) if length.isdigit() else None
        done = 0
        update(0, total)
        while chunk := response.read(CHUNK):
            try:
                fh.write(chunk)
            except OSError as exc:
                raise PidtuneError(f"cannot write {tmp}: {exc.strerror or exc}") from None
            done += len(chunk)
            update(done, total)
    # urllib returns a short body without complaint when the connection drops
    if total is not None and done != total:
        raise _Transient(f"the body ended after {done:,} of {total:,} bytes")


def _describe(exc: BaseException, timeout: float) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout:g} s"
    text = getattr(reason, "strerror", None) or str(reason) or reason.__class__.__name__
    return " ".join(str(text).split())  # one line

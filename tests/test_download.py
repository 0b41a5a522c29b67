"""pidtune download, first-use fetching and doctor, against a real HTTP server on 127.0.0.1.

The server (a thread in this process) serves the shared mirror's model and a zip built
from its CSVs, plus routes that misbehave: 404, a short body, wrong bytes, no answer,
a corrupt zip, a 503 that clears. Nothing here contacts a non-loopback address.
"""

from __future__ import annotations

import http.server
import io
import json
import threading
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from pidtune.assets import fetch as fetch_module
from pidtune.assets import sources
from pidtune.assets.fetch import FetchOptions
from pidtune.assets.install import install_model
from pidtune.cli import cli
from pidtune.errors import PidtuneError
from pidtune.sim.model import OFFICIAL_MODEL_SHA256, file_sha256

from conftest import DATA_DIR, MODEL_PATH

ZIP_SEGMENTS = 6  # enough to see --num-segs cut and sorting work, small enough to stay fast


def build_zip(csv_files, folder="SYNTHETIC_V0") -> bytes:
    """A zip like the official one: CSVs under a folder, with the folder entry itself."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/", b"")
        for path in reversed(csv_files):  # stored out of order: extraction must sort by name
            archive.write(path, f"{folder}/{path.name}")
    return buffer.getvalue()


class Server:
    """Routes: path -> bytes, or a callable(handler) for misbehaviour. Counts hits per path."""

    def __init__(self, routes):
        self.routes = routes
        self.hits: dict[str, int] = {}
        self.release = threading.Event()  # frees handlers that never answer
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                elif callable(route):
                    route(self, server)
                else:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(route)))
                    self.end_headers()
                    self.wfile.write(route)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def truncated(handler, server):
    handler.send_response(200)
    handler.send_header("Content-Length", "4005711")
    handler.end_headers()
    handler.wfile.write(b"x" * 1000)  # then the connection closes


def never_answers(handler, server):
    server.release.wait(10)


def flaky(body):
    def route(handler, server):
        if server.hits[handler.path] == 1:
            handler.send_error(503)
            return
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


@pytest.fixture(scope="module")
def server():
    model = MODEL_PATH.read_bytes()
    csvs = sorted(DATA_DIR.glob("*.csv"))[:ZIP_SEGMENTS]
    good_zip = build_zip(csvs)
    routes = {
        "/models/tinyphysics.onnx": model,
        "/data/SYNTHETIC_V0.zip": good_zip,
        "/wrong/models/tinyphysics.onnx": model[:-1] + b"\0",
        "/truncated/models/tinyphysics.onnx": truncated,
        "/hang/models/tinyphysics.onnx": never_answers,
        "/corrupt/data/SYNTHETIC_V0.zip": good_zip[: len(good_zip) // 2] + b"\0" * 100 + good_zip[len(good_zip) // 2 + 100:],
        "/notzip/data/SYNTHETIC_V0.zip": b"<html>not a zip</html>",
        "/flaky/models/tinyphysics.onnx": flaky(model),
    }
    with Server(routes) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path_factory):
    for name in ("PIDTUNE_OFFLINE", sources.SOURCE_ENV, "PIDTUNE_MODEL_PATH", "PIDTUNE_DATA_DIR",
                 fetch_module.TIMEOUT_ENV, fetch_module.RETRIES_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIDTUNE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # a test that forgets --from must fail fast on loopback, never reach the internet
    monkeypatch.setattr(sources, "OFFICIAL_MODEL_URL", "http://127.0.0.1:9/models/tinyphysics.onnx")
    monkeypatch.setattr(sources, "OFFICIAL_DATA_URL", "http://127.0.0.1:9/data/SYNTHETIC_V0.zip")


def run(*args, **env):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env or None)


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_one_line_error(result, *fragments, code=1):
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def shared_csv_names(n):
    return [p.name for p in sorted(DATA_DIR.glob("*.csv"))[:n]]


# --- downloads over HTTP ---------------------------------------------------------

def test_full_download_installs_verified_model_and_every_segment(server, tmp_path):
    dest = tmp_path / "assets"
    result = run("download", "--from", server.url, "--dest", dest)
    assert result.exit_code == 0, result.output
    assert file_sha256(dest / "models" / "tinyphysics.onnx") == OFFICIAL_MODEL_SHA256
    names = shared_csv_names(ZIP_SEGMENTS)
    assert tree(dest) == sorted(["models", "data", "models/tinyphysics.onnx"] + [f"data/{n}" for n in names])
    for name in names:  # members land under their base names, byte for byte
        assert (dest / "data" / name).read_bytes() == (DATA_DIR / name).read_bytes()
    assert "sha256 verified" in result.output


def test_num_segs_keeps_the_first_segments_by_name(server, tmp_path):
    result = run("download", "-q", "--from", server.url, "--dest", tmp_path, "--data-only", "--num-segs", 2)
    assert result.exit_code == 0, result.output
    assert tree(tmp_path) == ["data", *(f"data/{n}" for n in shared_csv_names(2))]


def test_a_second_download_keeps_what_is_there_and_force_replaces_it(server, tmp_path):
    assert run("download", "-q", "--from", server.url, "--dest", tmp_path, "--num-segs", 2).exit_code == 0
    again = run("download", "--from", server.url, "--dest", tmp_path, "--num-segs", 4)
    assert again.exit_code == 0 and "kept" in again.output
    assert len(list((tmp_path / "data").glob("*.csv"))) == 2
    forced = run("download", "-q", "--from", server.url, "--dest", tmp_path, "--num-segs", 4, "--force")
    assert forced.exit_code == 0, forced.output
    assert tree(tmp_path / "data") == shared_csv_names(4)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # the old folder is gone too


@pytest.mark.parametrize("route, retries, fragments, hits", [
    ("/missing/", 3, ["HTTP 404"], 1),  # a 404 is final: no retries
    ("/truncated/", 1, ["body ended after 1,000 of 4,005,711 bytes", "tried 2 times"], 2),
    ("/wrong/", 0, ["sha256", "not the official", "nothing was installed"], 1),
    ("/hang/", 0, ["no answer within 0.3 s"], 1),
])
def test_a_failed_model_download_names_the_url_and_leaves_nothing(server, tmp_path, route, retries, fragments, hits):
    url = f"{server.url}{route}models/tinyphysics.onnx"
    before = server.hits.get(url[len(server.url):], 0)
    result = run("download", "-q", "--from", f"{server.url}{route}", "--dest", tmp_path, "--model-only",
                 "--timeout", 0.3, "--retries", retries)
    assert_one_line_error(result, url, *fragments)
    assert tree(tmp_path) == ["models"]  # the folder may be made; no file, no temp file
    assert server.hits.get(url[len(server.url):], 0) - before == hits


@pytest.mark.parametrize("route, fragment", [("/corrupt/", "not a valid zip file"), ("/notzip/", "not a valid zip file"),
                                             ("/missing/", "HTTP 404")])
def test_a_bad_dataset_download_names_the_url_and_leaves_nothing(server, tmp_path, route, fragment):
    result = run("download", "-q", "--from", f"{server.url}{route}", "--dest", tmp_path, "--data-only", "--retries", 0)
    assert_one_line_error(result, f"{server.url}{route}data/SYNTHETIC_V0.zip", fragment)
    assert tree(tmp_path) == []  # no data/, no staging folder, no downloaded zip


def test_transient_errors_are_retried(server, tmp_path):
    url = f"{server.url}/flaky/models/tinyphysics.onnx"
    note = install_model(url, tmp_path / "m.onnx", FetchOptions(retries=2, backoff=0, progress=False))
    assert "installed" in note and file_sha256(tmp_path / "m.onnx") == OFFICIAL_MODEL_SHA256
    assert server.hits["/flaky/models/tinyphysics.onnx"] == 2


def test_an_interrupted_download_leaves_no_partial_file(server, tmp_path, monkeypatch):
    @contextmanager
    def interrupting_bar(description, enabled=True):
        def update(done, total=None):
            if done:
                raise KeyboardInterrupt

        yield update

    monkeypatch.setattr(fetch_module, "bytes_bar", interrupting_bar)
    with pytest.raises(KeyboardInterrupt):
        install_model(f"{server.url}/models/tinyphysics.onnx", tmp_path / "m.onnx", FetchOptions(progress=False))
    assert tree(tmp_path) == []


def test_the_progress_bar_shows_bytes(server, tmp_path):
    result = run("download", "--from", f"{server.url}/models/tinyphysics.onnx", "--dest", tmp_path, "--model-only")
    assert result.exit_code == 0, result.output
    assert "tinyphysics.onnx" in result.output and "MB" in result.output


# --- local sources ------------------------------------------------------------------

def test_from_a_local_folder_like_the_shared_mirror(tmp_path):
    result = run("download", "-q", "--from", DATA_DIR.parent, "--dest", tmp_path, "--num-segs", 3)
    assert result.exit_code == 0, result.output
    assert file_sha256(tmp_path / "models" / "tinyphysics.onnx") == OFFICIAL_MODEL_SHA256
    assert tree(tmp_path / "data") == shared_csv_names(3)


def test_from_a_local_zip(tmp_path):
    archive = tmp_path / "SYNTHETIC_V0.zip"
    archive.write_bytes(build_zip(sorted(DATA_DIR.glob("*.csv"))[:3]))
    result = run("download", "-q", "--from", archive, "--dest", tmp_path / "out")
    assert_one_line_error(result, "holds no model", "--data-only", code=2)
    result = run("download", "-q", "--from", archive, "--dest", tmp_path / "out", "--data-only")
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "out") == ["data", *(f"data/{n}" for n in shared_csv_names(3))]


def test_a_zip_member_without_the_columns_is_refused(tmp_path):
    bad = tmp_path / "00000.csv"
    bad.write_text("t,vEgo,aEgo\n0,1,2\n")
    archive = tmp_path / "bad.zip"
    archive.write_bytes(build_zip([bad]))
    result = run("download", "-q", "--from", archive, "--dest", tmp_path / "out", "--data-only")
    assert_one_line_error(result, "member 00000.csv", "roll", "nothing was installed")
    assert not (tmp_path / "out").exists() or tree(tmp_path / "out") == []


def test_an_existing_model_that_is_not_official_needs_force(tmp_path):
    target = tmp_path / "models" / "tinyphysics.onnx"
    target.parent.mkdir()
    target.write_bytes(b"old")
    result = run("download", "-q", "--from", DATA_DIR.parent, "--dest", tmp_path, "--model-only")
    assert_one_line_error(result, str(target), "--force")
    assert target.read_bytes() == b"old"
    assert run("download", "-q", "--from", DATA_DIR.parent, "--dest", tmp_path, "--model-only", "--force").exit_code == 0
    assert file_sha256(target) == OFFICIAL_MODEL_SHA256


@pytest.mark.parametrize("args, fragment", [
    (["--from", "/no/such/place"], "--from /no/such/place: no such file or folder"),
    (["--model-only", "--data-only"], "exclude each other"),
    (["--model-only", "--num-segs", "3"], "--num-segs"),
    (["--num-segs", "0"], "--num-segs"),
    (["--timeout", "0"], "--timeout"),
    (["--retries", "-1"], "--retries"),
])
def test_bad_download_flags_are_usage_errors(tmp_path, args, fragment):
    result = run("download", "-q", "--dest", tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output
    assert tree(tmp_path) == []


def test_dest_under_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    result = run("download", "-q", "--from", DATA_DIR.parent, "--dest", tmp_path / "file" / "sub", "--model-only")
    assert_one_line_error(result, "cannot write into", str(tmp_path / "file"))


# --- offline and first use ------------------------------------------------------------

def test_offline_download_refuses_urls_but_takes_local_sources(server, tmp_path):
    before = dict(server.hits)
    result = run("download", "-q", "--offline", "--from", server.url, "--dest", tmp_path)
    assert_one_line_error(result, "offline", server.url)
    assert tree(tmp_path) == [] and server.hits == before
    result = run("download", "-q", "--from", DATA_DIR.parent, "--dest", tmp_path, "--num-segs", 1, PIDTUNE_OFFLINE="1")
    assert result.exit_code == 0, result.output


def test_first_use_fetches_missing_default_assets_then_runs(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("eval", "-j", 1, "--num-segs", 1, "--json", PIDTUNE_ASSETS_FROM=server.url)
    assert result.exit_code == 0, result.output
    assert "models/tinyphysics.onnx is missing: fetching the model" in result.output
    assert "data is missing: fetching the dataset" in result.output
    assert file_sha256(tmp_path / "models" / "tinyphysics.onnx") == OFFICIAL_MODEL_SHA256
    assert tree(tmp_path / "data") == shared_csv_names(ZIP_SEGMENTS)
    summary = json.loads(result.output[result.output.index("{"):])
    assert summary["num_segs"] == 1


@pytest.mark.parametrize("args, offline_env", [
    (["--offline", "eval"], None),  # on the group
    (["eval", "--offline"], None),  # after the subcommand
    (["eval"], "1"),
])
def test_offline_first_use_stops_and_says_how_to_get_assets(server, tmp_path, monkeypatch, args, offline_env):
    monkeypatch.chdir(tmp_path)
    before = dict(server.hits)
    result = run(*args, "-q", PIDTUNE_ASSETS_FROM=server.url, PIDTUNE_OFFLINE=offline_env)
    assert_one_line_error(result, "data is missing", "offline", "pidtune download --from")
    assert tree(tmp_path) == [] and server.hits == before


def test_missing_paths_the_user_gave_are_errors_not_downloads(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = dict(server.hits)
    result = run("eval", "-q", "--data-dir", "data", PIDTUNE_ASSETS_FROM=server.url)
    assert_one_line_error(result, "data folder data does not exist")
    result = run("eval", "-q", "--num-segs", 1, PIDTUNE_ASSETS_FROM=server.url,
                 PIDTUNE_DATA_DIR=str(DATA_DIR), PIDTUNE_MODEL_PATH="models/tinyphysics.onnx")
    assert_one_line_error(result, "model file models/tinyphysics.onnx does not exist")
    assert tree(tmp_path) == [] and server.hits == before


# --- doctor -----------------------------------------------------------------------------

def test_doctor_reports_assets_runtime_and_extras(model_path, data_dir):
    result = run("--model-path", model_path, "--data-dir", data_dir, "doctor", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["model"]["sha256"] == OFFICIAL_MODEL_SHA256 and report["model"]["official"] is True
    assert report["data"]["segments"] == len(list(data_dir.glob("*.csv")))
    assert "CPUExecutionProvider" in report["onnxruntime"]["providers"]
    assert report["cores"]["usable"] >= 1
    assert set(report["extras"]) == {"ray", "matplotlib", "onnx", "onnxruntime-gpu"}
    assert report["extras"]["onnx"]  # a test extra, so installed here
    assert report["problems"] == []
    text = run("info", "--model-path", model_path, "--data-dir", data_dir)
    assert text.exit_code == 0 and "official" in text.output and OFFICIAL_MODEL_SHA256 in text.output


def test_doctor_names_what_is_wrong_without_fetching(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "other.onnx"
    other.write_bytes(b"not a model")
    report = json.loads(run("doctor", "--json", "--model-path", other).output)
    assert report["model"]["official"] is False and report["model"]["loads"] is False
    assert any("not a valid ONNX model" in p for p in report["problems"])
    assert any("data folder data holds no segments" in p for p in report["problems"])
    assert tree(tmp_path) == ["other.onnx"]


def test_source_resolution():
    official = sources.resolve_source(None)
    assert official.model == sources.OFFICIAL_MODEL_URL and official.data == sources.OFFICIAL_DATA_URL
    base = sources.resolve_source("https://mirror.example/tp/")
    assert base.model == "https://mirror.example/tp/models/tinyphysics.onnx"
    assert base.data == "https://mirror.example/tp/data/SYNTHETIC_V0.zip"
    assert sources.resolve_source("https://m.example/x.zip").model is None
    assert sources.resolve_source("https://m.example/m.onnx").data is None
    with pytest.raises(PidtuneError, match="holds no dataset"):
        sources.resolve_source("https://m.example/m.onnx").data_location()


def test_an_unknown_host_is_not_retried(tmp_path, monkeypatch):
    import socket
    import urllib.error

    calls = []

    def no_such_host(request, timeout):  # what urllib raises when DNS has no answer, without asking DNS
        calls.append(request.full_url)
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(fetch_module.urllib.request, "urlopen", no_such_host)
    with pytest.raises(PidtuneError, match="download of http://mirror.invalid/m.onnx failed: Name or service not known$"):
        install_model("http://mirror.invalid/m.onnx", tmp_path / "m.onnx", FetchOptions(retries=3, backoff=0, progress=False))
    assert len(calls) == 1 and tree(tmp_path) == []


def test_a_failed_first_use_fetch_says_how_to_fetch_by_hand(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("eval", "-q", "--num-segs", 1, PIDTUNE_ASSETS_FROM=f"{server.url}/missing", PIDTUNE_DOWNLOAD_RETRIES="0")
    assert_one_line_error(result, f"{server.url}/missing/data/SYNTHETIC_V0.zip failed: HTTP 404",
                          "while fetching data on first use", "pidtune download --from SOURCE")
    assert tree(tmp_path) == []


def test_a_data_folder_with_other_files_is_not_replaced_without_force(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("mine")
    result = run("download", "-q", "--from", DATA_DIR.parent, "--dest", tmp_path, "--data-only", "--num-segs", 1)
    assert_one_line_error(result, f"data folder {tmp_path / 'data'} holds other files but no segments", "--force")
    assert tree(tmp_path) == ["data", "data/notes.txt"]

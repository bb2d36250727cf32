"""A classroom asset mirror: serve the files of the course's asset table over HTTP.

An instructor fetches every asset once (``python -m helpers fetch --all``), then runs
``python -m helpers serve``; learners set ``COURSE_ASSET_MIRROR=http://<instructor>:8765/``
and the course tries that mirror before the official URLs. Files keep their place in the
Keras cache (``models/...``, ``datasets/...``) and are still checked against the real
checksums, so a mirror can speed a room up, never change what is loaded. The online
rehearsal (:mod:`helpers.course.rehearsal`) serves its twins through the same server.

>>> sorted(served_files(Path("/nonexistent")))
[]
"""

from __future__ import annotations

import http.server
import shutil
import threading
from pathlib import Path

from . import assets

DEFAULT_PORT = 8765


def served_files(root: Path) -> dict[str, Path]:
    """``{"/models/x.h5": path}`` for every asset file present under ``root`` (a Keras cache)."""
    files = {}
    for asset in assets.ASSETS.values():
        path = Path(root) / asset.rel_path
        if path.is_file():
            files["/" + asset.rel_path] = path
    return files


class _Handler(http.server.BaseHTTPRequestHandler):
    server: MirrorServer

    def _send(self, body: bool) -> None:
        path = self.server.files.get(self.path.split("?")[0])
        if path is None:
            self.send_error(404, "not an asset of the course")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(path.stat().st_size))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if body:
            with open(path, "rb") as f:
                shutil.copyfileobj(f, self.wfile)
            self.server.log.append(self.path)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._send(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._send(body=False)

    def log_message(self, format: str, *args) -> None:  # quiet: the server keeps its own log
        pass


class MirrorServer(http.server.ThreadingHTTPServer):
    """An HTTP server of asset files; ``log`` lists every path served in full, in order."""

    daemon_threads = True

    def __init__(self, files: dict[str, Path], host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.files, self.log = files, []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> MirrorServer:
        threading.Thread(target=self.serve_forever, name="mirror", daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def serve(root: Path | None = None, host: str = "0.0.0.0", port: int = DEFAULT_PORT) -> int:
    """Serve the asset files cached under ``root`` (default: the Keras cache) until Ctrl-C.

    Example: ``python -m helpers serve --port 8765`` on the instructor's machine.
    """
    root = Path(root) if root else assets.keras_home()
    files = served_files(root)
    if not files:
        print(f"nothing to serve: no asset is cached in {root}; run `python -m helpers fetch --all` first")
        return 1
    server = MirrorServer(files, host, port)
    print(f"serving {len(files)} files from {root} on port {server.server_address[1]}:")
    for rel in sorted(files):
        print(f"  {rel}")
    print(f"learners: export {assets.MIRROR_ENV}=http://<this machine's address>:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0

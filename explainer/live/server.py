"""The preview's web server: the output folder over HTTP on 127.0.0.1 only, in a thread.

The standard library's server with two additions: byte ranges (a browser seeks a video
with ``Range`` requests) and ``Cache-Control: no-store`` (every poll and every reload reads
the files as they are now). Nothing is logged; it never listens beyond this machine.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

__all__ = ["HOST", "PreviewHandler", "serve_folder"]

HOST = "127.0.0.1"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class _Slice:
    """A file object that reads at most ``length`` bytes from where ``raw`` is."""

    def __init__(self, raw: IO[bytes], length: int) -> None:
        self.raw, self.left = raw, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.raw.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.raw.close()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves one folder, with byte ranges and no caching, silently."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """No log: the terminal shows the watch's own lines."""

    def send_head(self) -> Any:
        """The base's answer, or for ``Range: bytes=a-b`` on a file, that part of it (206)."""
        wanted = _RANGE.fullmatch(self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if wanted is None or not path.is_file() or not any(wanted.groups()):
            return super().send_head()
        size = path.stat().st_size
        first, last = wanted.groups()
        start = int(first) if first else max(0, size - int(last))
        end = min(int(last), size - 1) if first and last else size - 1
        if start >= size or end < start:
            self.send_error(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            return None
        raw = path.open("rb")
        raw.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Slice(raw, end - start + 1)


@contextmanager
def serve_folder(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (``port``, or a free one if 0) while inside; yield its URL.

    Examples
    --------
    >>> import tempfile, urllib.request
    >>> folder = Path(tempfile.mkdtemp()); _ = (folder / "a.txt").write_text("abcdef")
    >>> with serve_folder(folder) as url:
    ...     request = urllib.request.Request(url + "a.txt", headers={"Range": "bytes=2-3"})
    ...     urllib.request.urlopen(request).read()
    b'cd'
    """
    handler = partial(PreviewHandler, directory=str(folder))
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

"""A TCP proxy that can play a restart of the server behind it: every connection dropped, new ones refused."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Self

_CHUNK = 65536


class OutageProxy:
    """Forwards 127.0.0.1:`port` to `upstream`; `outage()` cuts every connection until `restore()`."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._down = False
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept, name="outage-proxy", daemon=True)

    def __enter__(self) -> Self:
        self._acceptor.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._closed = True
        self.outage()
        self._listener.close()
        self._acceptor.join(timeout=5)

    def outage(self) -> None:
        """Drop every connection; new ones are closed as soon as they are accepted."""
        with self._lock:
            self._down = True
            sockets, self._open = self._open, set()
        for each in sockets:
            _close(each)

    def restore(self) -> None:
        """Accept connections again."""
        with self._lock:
            self._down = False

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                down = self._down
            if down:
                _close(client)
                continue
            try:
                server = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(_CHUNK):
            target.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(target)


def _close(each: socket.socket) -> None:
    with contextlib.suppress(OSError):
        each.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        each.close()

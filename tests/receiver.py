"""A real HTTP receiver for webhook tests: http.server in a thread on loopback, recording each request
and answering with the statuses a test queues (200 once the queue is empty)."""

import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: deque = field(default_factory=deque)
    redirect_to: str = ""

    def answer(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, in order."""
        self.statuses.extend(statuses)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = receiver.statuses.popleft() if receiver.statuses else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.redirect_to or "/elsewhere")
            answer = b"ok" if status < 300 else b"receiver says no"
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):  # keep the test output quiet
            pass

    return Handler


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1, with loopback targets allowed (as in development)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/governance")
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)

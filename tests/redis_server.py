"""A throw-away redis-server process on a free loopback port, for tests that take Redis away and bring
it back. Nothing is saved to disk; stopping it is a SIGKILL, as an outage is."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis

from project.celery import app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, binary: str, port: int):
        self.binary = binary
        self.port = port
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_connect_timeout=0.5)


@pytest.fixture
def redis_server():
    """A running redis-server of this test's own; `.stop()` takes it away, `.start()` brings it back."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required under CI, and it is missing.")
        pytest.skip("redis-server is not installed")
    server = RedisServer(binary, free_port())
    server.start()
    yield server
    server.stop()


@contextmanager
def celery_broker(url: str):
    """Send this process's tasks to another broker while the block lasts.

    The app's connection and producer pools were made for the broker before; forget them (without
    closing: kombu keeps one pool per broker address and would hand the closed one back later)."""
    original = app.conf.broker_url
    _forget_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        _forget_pools()
        app.conf.broker_url = original


def _forget_pools() -> None:
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None

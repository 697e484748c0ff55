"""Private PostgreSQL, NATS and Redis for the fault suite: servers this suite starts and owns, so
it may freeze, kill -9 and restart them. The machine's servers (and any `TT_*_URL` the rest of
the suite uses) are never touched."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pgserver

from shared.embedded import EmbeddedServices, free_port, wait_for_port

PG_CTL = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"


class ServerProcess:
    """One server binary on a fixed port: started again on the same port (and store) after a fault."""

    def __init__(self, argv: list[str], port: int) -> None:
        self.argv, self.port = argv, port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port("127.0.0.1", self.port)

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.thaw()
            self.proc.terminate()
            self.proc.wait(timeout=10)


def nats_server(store: Path) -> ServerProcess:
    binary = str(Path(sys.executable).parent / "nats-server")
    port = free_port()
    store.mkdir(parents=True, exist_ok=True)
    return ServerProcess([binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)], port)


def redis_server() -> ServerProcess:
    port = free_port()
    argv = [EmbeddedServices.redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no"]  # fmt: skip
    return ServerProcess(argv, port)


class Postgres:
    """An embedded PostgreSQL cluster of its own (one server hosts every service's database, as in
    `make run`); `crash()` stops it the way a power cut would, `start()` brings it back."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.server = pgserver.get_server(str(pgdata), cleanup_mode="stop")
        self.url = self.server.get_uri()
        # the postgres options pgserver chose (socket directory, no TCP), for the restart
        argv = shlex.split((pgdata / "postmaster.opts").read_text())
        options = [arg for i, arg in enumerate(argv[1:], 1) if "-D" not in (arg, argv[i - 1])]
        self._options = shlex.join(options)

    def crash(self) -> None:
        self._pg_ctl("-m", "immediate", "stop")

    def start(self) -> None:
        self._pg_ctl("-w", "-o", self._options, "-l", str(self.pgdata / "restart.log"), "start")

    def stop(self) -> None:
        self.server.cleanup()

    def _pg_ctl(self, *args: str) -> None:
        # as the system user pgserver runs the cluster as (it will not run one as root)
        subprocess.run([str(PG_CTL), "-D", str(self.pgdata), *args], check=True, capture_output=True, timeout=30,
                       user=self.server.system_user)  # fmt: skip

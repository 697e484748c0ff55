"""Keeps the launcher's processes running: a process that exits is started again after a delay
that doubles with each quick crash (0.5 s up to 30 s) and falls back to 0.5 s once the process
has stayed up a while, so one crashed service never takes the platform down and a service that
cannot start does not spin."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    initial: float = 0.5
    ceiling: float = 30.0
    # Up at least this long before crashing: a fresh failure, not the same one again.
    stable_after: float = 60.0
    _next: float | None = field(default=None, repr=False)

    def delay_after_exit(self, uptime: float) -> float:
        """How long to wait before restarting a process that ran `uptime` seconds."""
        if self._next is None or uptime >= self.stable_after:
            self._next = self.initial
        delay = self._next
        self._next = min(delay * 2, self.ceiling)
        return delay


class Supervised:
    """One child process: `spawn()` starts it; `tick()` notices an exit and restarts it when due."""

    def __init__(
        self,
        name: str,
        spawn: Callable[[], subprocess.Popen],
        *,
        report: Callable[[str, str], None],
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._spawn = spawn
        self._report = report
        self._backoff = backoff or Backoff()
        self._clock = clock
        self.proc: subprocess.Popen | None = None
        self._started_at = 0.0
        self._restart_at: float | None = None

    def start(self) -> subprocess.Popen:
        self.proc = self._spawn()
        self._started_at = self._clock()
        self._restart_at = None
        return self.proc

    def tick(self) -> None:
        now = self._clock()
        if self._restart_at is not None:
            if now >= self._restart_at:
                self.start()
                self._report(self.name, f"restarted (pid {self.proc.pid})")
            return
        if self.proc is None or (code := self.proc.poll()) is None:
            return
        delay = self._backoff.delay_after_exit(now - self._started_at)
        self._restart_at = now + delay
        self._report(self.name, f"exited with {code}; restarting in {delay:g} s")

    def terminate(self) -> None:
        """SIGTERM now; `wait` reaps it (or kills it) afterwards, so all children stop in parallel."""
        self._restart_at = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait(self, timeout: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

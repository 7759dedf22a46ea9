# Service control for irqbalance: systemctl when the machine runs systemd (or when a
# command is given, as tests do for a fake tree), else a read-only scan of /proc.
# One instance per command; not thread-safe.
"""Query, stop and start system services (irqbalance) through systemctl."""

from __future__ import annotations

import shlex
import shutil
import subprocess

from .sysfs import TreeIO


class ServiceError(Exception):
    """A service could not be controlled; names the service, the command and its output."""


class Services:
    def __init__(self, io: TreeIO, systemctl: str | None) -> None:
        """systemctl: the command to run (may include arguments), or None for the default:
        "systemctl" on a live machine booted with systemd, nothing for a fake tree."""
        self.io = io
        if systemctl is not None:
            self.cmd: list[str] | None = shlex.split(systemctl)
        elif io.live and io.exists("run/systemd/system") and shutil.which("systemctl"):
            self.cmd = ["systemctl"]
        else:
            self.cmd = None

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert self.cmd is not None
        try:
            return subprocess.run(self.cmd + list(args), capture_output=True, text=True, timeout=60)
        except OSError as e:
            raise ServiceError(f"{' '.join(self.cmd + list(args))}: {e.strerror or e}") from None

    def running_pids(self, name: str) -> list[int]:
        """Returns the pids whose /proc/<pid>/comm is name."""
        out = []
        for d in self.io.listdir("proc"):
            if d.isdigit() and (self.io.read(f"proc/{d}/comm") or "").strip() == name:
                out.append(int(d))
        return sorted(out)

    def state(self, name: str) -> str:
        """Returns "active", "inactive" or "not installed" (systemd), or "running (pid N)" /
        "not running" from a /proc scan when systemd is not available."""
        if self.cmd is not None:
            r = self._run("is-active", name)
            word = (r.stdout.strip().splitlines() or ["unknown"])[0]
            if word in ("active", "activating", "reloading"):
                return "active"
            if word in ("inactive", "failed", "deactivating"):
                return "inactive"
            r2 = self._run("cat", name)
            return "not installed" if r2.returncode != 0 else "inactive"
        pids = self.running_pids(name)
        return f"running (pid {','.join(map(str, pids))})" if pids else "not running"

    def is_running(self, name: str) -> bool:
        s = self.state(name)
        return s == "active" or s.startswith("running")

    def stop(self, name: str) -> None:
        if self.cmd is None:
            raise ServiceError(f"{name}: running without systemd (pid {self.running_pids(name)}); "
                               f"stop it by hand or give --systemctl")
        r = self._run("stop", name)
        if r.returncode != 0:
            raise ServiceError(f"{' '.join(self.cmd)} stop {name} failed ({r.returncode}): "
                               f"{(r.stderr or r.stdout).strip()}")

    def start(self, name: str) -> None:
        if self.cmd is None:
            raise ServiceError(f"{name}: cannot start without systemd; start it by hand or give --systemctl")
        r = self._run("start", name)
        if r.returncode != 0:
            raise ServiceError(f"{' '.join(self.cmd)} start {name} failed ({r.returncode}): "
                               f"{(r.stderr or r.stdout).strip()}")

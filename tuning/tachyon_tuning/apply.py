# apply and revert: performs a plan's runtime writes (dry run unless told), saving each
# file's previous value first in a state file so revert restores it exactly; holds
# /dev/cpu_dma_latency when asked. Idempotent: a second apply finds nothing to change and
# keeps the first saved values. One command at a time per root; not thread-safe.
"""Apply a plan's runtime changes, and revert them from the saved state."""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
from dataclasses import dataclass, field
from typing import TextIO

from . import state
from .cpulist import format_list
from .items import Item, evaluate
from .plan import Plan
from .services import ServiceError, Services
from .sysfs import TreeIO, WriteError, parse_selector

STATE_VERSION = 1
DEFAULT_STATE = "run/tachyon/tuning-state.json"  # tmpfs: runtime changes end at reboot, and so does their saved state


class ApplyError(Exception):
    """apply or revert refused to run; names the reason."""


@dataclass
class SavedState:
    """Previous values of everything apply changed, in the order it changed them."""

    path: str
    root: str
    entries: list[dict] = field(default_factory=list)    # {"path", "kind": text|bytes, "restore"}
    services: list[dict] = field(default_factory=list)   # {"name", "restore": "start"}
    created_dirs: list[str] = field(default_factory=list)

    def has(self, rel: str) -> bool:
        return any(e["path"] == rel for e in self.entries)

    def to_json(self) -> dict:
        return {"version": STATE_VERSION, "root": self.root, "entries": self.entries,
                "services": self.services, "created_dirs": self.created_dirs}

    @staticmethod
    def load(path: str) -> "SavedState | None":
        try:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise ApplyError(f"state file {path}: unreadable: {e}") from None
        if d.get("version") != STATE_VERSION:
            raise ApplyError(f"state file {path}: version {d.get('version')!r}, expected {STATE_VERSION}")
        return SavedState(path, d["root"], list(d["entries"]), list(d["services"]), list(d.get("created_dirs", [])))

    def save(self) -> None:
        """Writes the state atomically, creating (and remembering) missing directories."""
        parent = os.path.dirname(self.path)
        missing = []
        p = parent
        while p and not os.path.isdir(p):
            missing.append(p)
            p = os.path.dirname(p)
        os.makedirs(parent, exist_ok=True)
        for d in missing:  # deepest first, the order revert removes them in
            if d not in self.created_dirs:
                self.created_dirs.append(d)
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.path)


def state_path(io: TreeIO, given: str | None) -> str:
    return given if given else io.path(DEFAULT_STATE)


def check_machine(plan: Plan, io: TreeIO) -> None:
    """Refuses a plan made for another machine: every planned CPU must exist below root."""
    missing = [c for c in plan.cpus if not io.isdir(f"{state.CPU}/cpu{c}")]
    if missing:
        raise ApplyError(f"plan for {plan.topology} ({plan.machine}) does not fit the machine below {io.root}: "
                         f"CPU {format_list(missing)} not in {io.path(state.CPU)}")


def _restore_value(io: TreeIO, rel: str) -> str:
    raw = io.read(rel)
    if raw is None:
        raise WriteError(f"{io.path(rel)}: cannot save the previous value: no such file")
    sel = parse_selector(raw)
    return sel[0] if sel else raw.strip()


def _skipped(item: Item, skip: list[str]) -> bool:
    return any(item.id == s or item.id.startswith(s + ".") for s in skip)


def _print_item_line(out: TextIO, word: str, it: Item) -> None:
    out.write(f"  {word:<9} {it.id:<22} {it.current} -> {it.wanted}\n")


def apply(plan: Plan, io: TreeIO, services: Services, yes: bool, state_file: str | None, hold: bool,
          skip: list[str], out: TextIO = sys.stdout) -> int:
    """Applies plan's runtime items below io. Returns the exit status (0: all done)."""
    check_machine(plan, io)
    items, _ = evaluate(plan, io, services)
    todo = [i for i in items if i.ok is False and i.how == "runtime" and not _skipped(i, skip)]
    spath = state_path(io, state_file)
    mode = "applying" if yes else "dry run (nothing is written; add --yes to apply)"
    out.write(f"tuning/apply: {plan.topology} -> {io.root}: {mode}\n")
    if yes and io.live and os.geteuid() != 0:
        raise ApplyError("apply --yes on the live machine needs root (sysfs, /proc/irq and services)")

    if not yes:
        for it in todo:
            _print_item_line(out, "would", it)
            if it.stop_service:
                out.write(f"            stop service {it.stop_service}\n")
            for rel, value in it.writes:
                out.write(f"            write {io.path(rel)} = {value}\n")
        if hold:
            out.write(f"  would     hold {io.path(state.DMA_LATENCY)} at 0 us\n")
        if not todo:
            out.write("  nothing to change at runtime\n")
        _print_reboot(out, plan, items)
        return 0

    saved = SavedState.load(spath)
    if saved is not None and os.path.abspath(saved.root) != io.root:
        raise ApplyError(f"state file {spath} belongs to root {saved.root}, not {io.root}")
    if saved is None:
        saved = SavedState(spath, io.root)
    new_paths: list[str] = []
    for it in todo:
        if it.stop_service and not any(s["name"] == it.stop_service for s in saved.services):
            saved.services.append({"name": it.stop_service, "restore": "start"})
            new_paths.append("service:" + it.stop_service)
        for rel, _ in it.writes:
            if not saved.has(rel) and rel not in new_paths:
                saved.entries.append({"path": rel, "kind": "text", "restore": _restore_value(io, rel)})
                new_paths.append(rel)
    if hold and not io.live and not saved.has(state.DMA_LATENCY) and io.exists(state.DMA_LATENCY):
        data = io.read_bytes(state.DMA_LATENCY) or b""
        saved.entries.append({"path": state.DMA_LATENCY, "kind": "bytes", "restore": data.hex()})
        new_paths.append(state.DMA_LATENCY)
    if new_paths:
        saved.save()  # before any write: a crash part-way still leaves everything revertible

    errors: list[str] = []
    failed_new: set[str] = set()
    for it in todo:
        if it.stop_service:
            try:
                services.stop(it.stop_service)
            except ServiceError as e:
                errors.append(str(e))
                failed_new.add("service:" + it.stop_service)
        for rel, value in it.writes:
            try:
                io.write(rel, value)
            except WriteError as e:
                hint = ""
                if rel.startswith("proc/irq/") and "Input/output error" in str(e):
                    hint = (" (a kernel-managed or per-CPU interrupt: it cannot move at runtime; "
                            "isolcpus=managed_irq keeps managed IRQs off isolated CPUs after the reboot)")
                errors.append(str(e) + hint)
                if rel in new_paths:
                    failed_new.add(rel)
    if failed_new:  # nothing changed there, so nothing to restore
        saved.entries = [e for e in saved.entries if e["path"] not in failed_new]
        saved.services = [s for s in saved.services if "service:" + s["name"] not in failed_new]
        saved.save()

    after, _ = evaluate(plan, io, services)
    before = {i.id: i for i in items}
    for it in after:
        if it.how != "runtime" or _skipped(it, skip):
            continue
        was = before.get(it.id)
        if it.ok is False:
            out.write(f"  {'FAILED':<9} {it.id:<22} {it.current} (wanted {it.wanted})\n")
        elif was is not None and was.ok is False:
            out.write(f"  {'changed':<9} {it.id:<22} {was.current} -> {it.current}\n")
        else:
            out.write(f"  {'unchanged' if it.ok else 'n/a':<9} {it.id:<22} {it.current}\n")
    for e in errors:
        out.write(f"  error: {e}\n")
    if new_paths:
        out.write(f"  previous values saved in {spath} (tuning/revert --yes restores them)\n")
    elif todo:
        out.write(f"  previous values already saved in {spath}\n")
    _print_reboot(out, plan, after)
    if hold:
        status = hold_cstates(io, out)
        if status:
            return status
    return 1 if errors else 0


def _print_reboot(out: TextIO, plan: Plan, items: list[Item]) -> None:
    pending = [i.id for i in items if i.how == "reboot" and i.ok is False]
    if pending:
        out.write("kernel command line to add (needs a reboot; tuning/ never edits the bootloader; pending: "
                  f"{', '.join(pending)}):\n  {' '.join(plan.cmdline)}\n")


def hold_cstates(io: TreeIO, out: TextIO) -> int:
    """Writes 0 us to /dev/cpu_dma_latency. Live: keeps it open until SIGINT/SIGTERM (the
    kernel drops the request when the file closes). Fake tree: writes the value and returns."""
    value = struct.pack("<i", 0)
    if not io.live:
        io.write_bytes(state.DMA_LATENCY, value)
        out.write(f"  wrote 0 us to {io.path(state.DMA_LATENCY)} (fake tree: nothing to hold open)\n")
        return 0
    try:
        fd = os.open(io.path(state.DMA_LATENCY), os.O_WRONLY)
    except OSError as e:
        out.write(f"  error: {io.path(state.DMA_LATENCY)}: open: {e.strerror}\n")
        return 1
    try:
        os.write(fd, value)
        out.write(f"  holding {io.path(state.DMA_LATENCY)} at 0 us (pid {os.getpid()}); "
                  "Ctrl-C or SIGTERM releases it\n")
        out.flush()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        sig = signal.sigwait({signal.SIGINT, signal.SIGTERM})
        out.write(f"  released {io.path(state.DMA_LATENCY)} ({signal.Signals(sig).name})\n")
    finally:
        os.close(fd)
    return 0


def revert(io: TreeIO, services: Services, state_file: str | None, yes: bool, out: TextIO = sys.stdout) -> int:
    """Restores every saved value in reverse order, restarts stopped services, and removes
    the state file. Returns the exit status."""
    spath = state_path(io, state_file)
    saved = SavedState.load(spath)
    if saved is None:
        out.write(f"tuning/revert: nothing to revert (no state file {spath})\n")
        return 0
    if os.path.abspath(saved.root) != io.root:
        raise ApplyError(f"state file {spath} belongs to root {saved.root}, not {io.root}")
    if yes and io.live and os.geteuid() != 0:
        raise ApplyError("revert --yes on the live machine needs root")
    out.write(f"tuning/revert: {spath} -> {io.root}: {'restoring' if yes else 'dry run (add --yes to restore)'}\n")
    errors: list[str] = []
    kept: list[dict] = []
    for e in reversed(saved.entries):
        shown = e["restore"] if e["kind"] == "text" else "bytes " + e["restore"]
        if not yes:
            out.write(f"  would     write {io.path(e['path'])} = {shown}\n")
            continue
        try:
            if e["kind"] == "bytes":
                io.write_bytes(e["path"], bytes.fromhex(e["restore"]))
            else:
                io.write(e["path"], e["restore"])
            out.write(f"  restored  {io.path(e['path'])} = {shown}\n")
        except WriteError as err:
            errors.append(str(err))
            kept.insert(0, e)
    kept_services: list[dict] = []
    for s in saved.services:
        if not yes:
            out.write(f"  would     {s['restore']} service {s['name']}\n")
            continue
        try:
            services.start(s["name"])
            out.write(f"  restored  service {s['name']} ({s['restore']})\n")
        except ServiceError as err:
            errors.append(str(err))
            kept_services.append(s)
    if not yes:
        return 0
    for e in errors:
        out.write(f"  error: {e}\n")
    if errors:
        saved.entries, saved.services = kept, kept_services
        saved.save()
        out.write(f"  kept what could not be restored in {spath}\n")
        return 1
    os.remove(spath)
    for d in saved.created_dirs:
        try:
            os.rmdir(d)
        except OSError:
            break
    out.write(f"  removed {spath}\n")
    return 0

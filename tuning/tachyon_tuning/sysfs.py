# File access to the kernel's /proc, /sys and /dev, below a configurable root.
# LiveIO writes the real files (root "/"); TreeIO treats another root as a plain-file
# model of those trees and stores what the kernel would show after each write, so a
# fake tree reads back like the real one. One instance per command; not thread-safe.
"""Read and write kernel tunables below a root directory (real or a fake tree)."""

from __future__ import annotations

import errno
import os
import re

_SELECTOR = re.compile(r"^(\S+ )*\[\S+\]( \S+)*$")


class WriteError(Exception):
    """A write was refused; names the file, the value and the system's message."""


def parse_selector(text: str) -> tuple[str, tuple[str, ...]] | None:
    """Parses a kernel selector file ("always [madvise] never") into (selected, options)."""
    text = text.strip()
    if not _SELECTOR.match(text):
        return None
    options = tuple(w.strip("[]") for w in text.split())
    selected = next(w.strip("[]") for w in text.split() if w.startswith("["))
    return selected, options


class TreeIO:
    """Kernel files below root, modelled as plain files (for tests and dry inspection)."""

    live = False

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def path(self, rel: str) -> str:
        return os.path.join(self.root, rel.lstrip("/"))

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self.path(rel))

    def isdir(self, rel: str) -> bool:
        return os.path.isdir(self.path(rel))

    def listdir(self, rel: str) -> list[str]:
        try:
            return sorted(os.listdir(self.path(rel)))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def read(self, rel: str) -> str | None:
        """Returns the file's text, or None when it does not exist. Raises PermissionError."""
        try:
            with open(self.path(rel), encoding="utf-8", errors="replace") as f:
                return f.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            with open(self.path(rel), "rb") as f:
                return f.read(64)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def realpath(self, rel: str) -> str | None:
        """Resolves symlinks; returns the path relative to root, or None when absent."""
        p = self.path(rel)
        if not os.path.lexists(p):
            return None
        real = os.path.realpath(p)
        if real == self.root or real.startswith(self.root + os.sep):
            return os.path.relpath(real, self.root)
        return real if self.root == "/" else None

    def link_name(self, rel: str) -> str | None:
        """Returns the last component of a symlink's target (a driver's name), or None."""
        p = self.path(rel)
        if not os.path.islink(p):
            return None
        return os.path.basename(os.readlink(p).rstrip("/"))

    def write(self, rel: str, value: str) -> None:
        """Writes value to a kernel file. Raises WriteError naming the file and the error."""
        p = self.path(rel)
        old = self.read(rel)
        if old is None:
            raise WriteError(f"{p}: write {value!r}: no such file")
        sel = parse_selector(old)
        if sel is not None:
            if value not in sel[1]:
                raise WriteError(f"{p}: write {value!r}: {os.strerror(errno.EINVAL)} "
                                 f"(choices: {' '.join(sel[1])})")
            text = " ".join(f"[{o}]" if o == value else o for o in sel[1]) + "\n"
        else:
            text = value + "\n"
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)

    def write_bytes(self, rel: str, data: bytes) -> None:
        with open(self.path(rel), "wb") as f:
            f.write(data)


class LiveIO(TreeIO):
    """The running kernel's files (root "/"): every write reaches the kernel."""

    live = True

    def __init__(self) -> None:
        super().__init__("/")

    def write(self, rel: str, value: str) -> None:
        p = self.path(rel)
        try:
            with open(p, "w", encoding="utf-8") as f:
                f.write(value)
        except OSError as e:
            raise WriteError(f"{p}: write {value!r}: {e.strerror or e}") from None

    def write_bytes(self, rel: str, data: bytes) -> None:
        try:
            with open(self.path(rel), "wb") as f:
                f.write(data)
        except OSError as e:
            raise WriteError(f"{self.path(rel)}: write {data!r}: {e.strerror or e}") from None


def open_root(root: str) -> TreeIO:
    """Returns LiveIO for "/" and TreeIO for any other directory (which must exist)."""
    if os.path.abspath(root) == "/":
        return LiveIO()
    if not os.path.isdir(root):
        raise FileNotFoundError(f"--root {root}: not a directory")
    return TreeIO(root)

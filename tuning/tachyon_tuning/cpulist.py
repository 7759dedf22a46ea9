# CPU sets in the three spellings tuning/ meets: kernel CPU lists ("0-3,8"), kernel hex
# masks ("ff,ffffffff" in /proc/irq and sysfs) and hwloc XML bitmaps ("0x80000000,,0x0").
# Pure functions on frozensets of CPU numbers; thread-safe.
"""Parse and format CPU lists, kernel CPU masks and hwloc bitmaps."""

from __future__ import annotations

from typing import Iterable


def parse_list(text: str) -> frozenset[int]:
    """Parses a kernel CPU list such as "0-3,8,10-11" (whitespace and an empty string allowed).

    Raises ValueError naming the bad element.
    """
    cpus: set[int] = set()
    text = text.strip()
    if not text:
        return frozenset()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if ":" in part:  # "0-15:2/4" style (kernel grouped ranges): keep the simple stride form
            part, _, stride_text = part.partition(":")
            used, _, group = stride_text.partition("/")
            if not used.isdigit() or not group.isdigit() or int(group) == 0:
                raise ValueError(f"cpu list {text!r}: bad stride {stride_text!r}")
            lo, _, hi = part.partition("-")
            if not lo.isdigit() or not hi.isdigit():
                raise ValueError(f"cpu list {text!r}: bad range {part!r}")
            for base in range(int(lo), int(hi) + 1, int(group)):
                cpus.update(c for c in range(base, base + int(used)) if c <= int(hi))
            continue
        lo, dash, hi = part.partition("-")
        if not lo.isdigit() or (dash and not hi.isdigit()):
            raise ValueError(f"cpu list {text!r}: bad element {part!r}")
        first = int(lo)
        last = int(hi) if dash else first
        if last < first:
            raise ValueError(f"cpu list {text!r}: descending range {part!r}")
        cpus.update(range(first, last + 1))
    return frozenset(cpus)


def format_list(cpus: Iterable[int]) -> str:
    """Formats CPUs as the kernel's canonical list: sorted ranges, "0-3,8". Empty set -> ""."""
    ordered = sorted(set(cpus))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def parse_mask(text: str) -> frozenset[int]:
    """Parses a kernel hex CPU mask ("3", "ff,ffffffff", "00000000,00000001").

    Comma-separated groups are 32 bits each, most significant first.
    """
    text = text.strip()
    if not text:
        return frozenset()
    value = 0
    for group in text.split(","):
        group = group.strip()
        if group.lower().startswith("0x"):
            group = group[2:]
        if group and any(c not in "0123456789abcdefABCDEF" for c in group):
            raise ValueError(f"cpu mask {text!r}: bad group {group!r}")
        value = (value << 32) | (int(group, 16) if group else 0)
    return frozenset(i for i in range(value.bit_length()) if value >> i & 1)


def format_mask(cpus: Iterable[int], like: str = "") -> str:
    """Formats CPUs as a kernel hex mask.

    like is a mask as the kernel printed it for this file (e.g. the current contents);
    the result keeps its layout (digits per group, group count) so a value written and
    read back matches the kernel's own spelling. Without like: minimal digits, with
    32-bit groups split by commas.
    """
    value = 0
    for c in cpus:
        value |= 1 << c
    like = like.strip()
    if like:
        groups = like.split(",")
        widths = [len(g[2:] if g.lower().startswith("0x") else g) for g in groups]
        capacity = 4 * widths[0] + 32 * (len(groups) - 1)
        if value.bit_length() <= capacity:
            out: list[str] = []
            for k, width in enumerate(widths):
                shift = 32 * (len(widths) - 1 - k)
                out.append(format((value >> shift) & 0xFFFFFFFF, f"0{width}x"))
            return ",".join(out)
    if value == 0:
        return "0"
    groups_out: list[str] = []
    while value:
        groups_out.append(value & 0xFFFFFFFF)
        value >>= 32
    head = format(groups_out[-1], "x")
    tail = [format(g, "08x") for g in reversed(groups_out[:-1])]
    return ",".join([head] + tail)


def parse_hwloc_bitmap(text: str) -> frozenset[int]:
    """Parses an hwloc bitmap string from hwloc XML ("0x0000f06f", "0x80000000,,0x0").

    Groups are 32 bits, most significant first; an empty group is zero. An infinite
    prefix ("0xf...f,") is not expected in topology exports and is rejected.
    """
    text = text.strip()
    if text.startswith("0xf...f"):
        raise ValueError(f"hwloc bitmap {text!r}: infinite sets are not CPU sets")
    return parse_mask(text)

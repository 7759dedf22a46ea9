# Output of plan and verify: the human-readable plan, its JSON, the verify report and the
# appliance config fragment (TOML) with the core map. Pure functions; deterministic: the
# same plan and items give the same bytes.
"""Render plans, verify reports and the core-map config fragment."""

from __future__ import annotations

import json

from .cpulist import format_list
from .items import Item
from .plan import Plan


def _toml_str(s: str) -> str:
    return json.dumps(s)  # a JSON string with only basic escapes is a TOML basic string


def _toml_list(xs) -> str:
    return "[" + ", ".join(str(x) for x in xs) + "]"


def config_toml(plan: Plan) -> str:
    """Returns the appliance config fragment: [cores] and, with a NIC, [nic] pci.

    Every key is one the appliance's loader (controlplane/src/config.cc) validates and
    uses: cores.dataplane/control pin its threads, cores.numa_node places the data
    plane's memory, nic.pci is the device DPDK takes. What only tuning/ acts on (idle
    SMT siblings, the hugepage reservation, the kernel name of the NIC) is a comment.
    """
    c, n, hp = plan.cores, plan.nic, plan.hugepages
    nic_text = f"{'/'.join(n.names) or n.busid} = PCI {n.busid}" if n.busid else "none given or found"
    lines = [
        "# tachyon core map written by tuning/plan; layer it over the appliance's config:",
        "#   tachyon run --config tachyon.toml --config THIS_FILE",
        f"# topology: {plan.topology} ({plan.machine})",
        f"# NIC: {nic_text}; NUMA node {n.node} ({n.node_source})",
        f"# idle SMT siblings (isolated, taken offline by tuning/apply): {format_list(c.idle_siblings) or 'none'}",
        f"# hugepages (reserved by tuning/apply and the kernel command line): {hp.count} x {hp.page_kb} kB "
        f"on NUMA node {hp.node}",
        "[cores]",
        f"dataplane = {_toml_list(c.dataplane)}",
        f"control = {c.control}" + ("" if c.control_dedicated else "  # shared with housekeeping"),
        f"housekeeping = {_toml_list(c.housekeeping)}",
        f"numa_node = {c.node}",
    ]
    if n.busid:
        lines += ["", "[nic]", f"pci = {_toml_str(n.busid)}"]
    return "\n".join(lines) + "\n"


_LEGEND = ("status: change = tuning/apply --yes does it; reboot = kernel command line; manual = by hand; "
           "hold = tuning/apply --yes --hold-cstates (or the appliance) while running; n/a = not on this machine")


def _item_block(items: list[Item], status_of, out: list[str]) -> None:
    """One line per item (status, severity, id, title: current -> wanted); the reason
    follows when it differs from the previous item's."""
    last_reason = None
    pad = " " * 23
    for it in items:
        out.append(f"  {status_of(it):<7} {it.severity:<11}  {it.title}: {it.current} -> {it.wanted}  [{it.id}]")
        if it.reason != last_reason:
            out.append(f"{pad}why: {it.reason}")
        last_reason = it.reason


def plan_text(plan: Plan, items: list[Item], notes: list[str], root: str) -> str:
    c, n, hp = plan.cores, plan.nic, plan.hugepages
    out = ["tachyon tuning plan", f"  topology : {plan.topology} ({plan.machine})", f"  state    : read below {root}"]
    if n.busid:
        desc = f" ({n.description})" if n.description else ""
        out.append(f"  NIC      : {'/'.join(n.names) or '?'} = PCI {n.busid}{desc}, NUMA node {n.node} ({n.node_source})")
    else:
        out.append(f"  NIC      : none ({n.node_source})")
    out.append("")
    out.append(f"Core map (NUMA node {c.node}; ranked by {c.ranking})")
    n_dp = len(c.dataplane)
    out.append(f"  data-plane     {format_list(c.dataplane)} ({n_dp} physical core{'' if n_dp == 1 else 's'}, "
               "one PU each)")
    out.append(f"  control        {c.control}" + ("" if c.control_dedicated else " (shared with housekeeping)"))
    out.append(f"  idle siblings  {format_list(c.idle_siblings) or '(none)'}"
               + (" (SMT siblings of data-plane cores: isolated and taken offline)" if c.idle_siblings else ""))
    out.append(f"  housekeeping   {format_list(c.housekeeping) or '(none)'} (core 0, IRQs, kernel threads, the rest)")
    out.append(f"  isolated       {format_list(c.isolated)} (isolcpus, nohz_full, rcu_nocbs)")
    all_notes = list(n.notes) + list(c.notes) + notes
    if all_notes:
        out.append("")
        out.append("Notes")
        out += [f"  - {x}" for x in all_notes]
    todo = [i for i in items if i.ok is not True]
    done = [i for i in items if i.ok is True]
    out.append("")
    out.append(f"Changes ({_LEGEND})")
    _item_block(todo, Item.plan_status, out)
    if done:
        out.append("Already as wanted: " + ", ".join(i.id for i in done))
    out.append("")
    out.append("Kernel command line to add (needs a reboot; tuning/ never edits the bootloader):")
    out.append("  " + " ".join(plan.cmdline))
    out.append("  Debian: append it to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, reboot.")
    out.append("")
    out.append(f"Hugepages ({hp.page_kb} kB pages on NUMA node {hp.node})")
    out += ["  " + f for f in hp.formula]
    out.append("")
    out.append("Appliance config fragment (--write-config FILE writes it)")
    out += ["  " + line if line else "" for line in config_toml(plan).splitlines()]
    return "\n".join(out) + "\n"


def plan_json(plan: Plan, items: list[Item], notes: list[str], root: str) -> str:
    doc = {"plan": plan.to_json(), "state_root": root, "items": [i.to_json() for i in items],
           "notes": list(plan.nic.notes) + list(plan.cores.notes) + notes, "config_toml": config_toml(plan)}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def verify_counts(items: list[Item]) -> dict[str, int]:
    counts = {"pass": 0, "FAIL": 0, "warn": 0, "n/a": 0}
    for i in items:
        counts[i.verify_status()] += 1
    return counts


def verify_text(plan: Plan, items: list[Item], notes: list[str], root: str) -> str:
    out = [f"tachyon tuning verify: {plan.topology} against the machine below {root}"]
    for it in items:
        out.append(f"  {it.verify_status():<5} {it.severity:<11} {it.id:<22} current: {it.current}")
        if it.ok is False:
            out.append(f"  {'':<5} {'':<11} {'':<22} wanted:  {it.wanted} ({it.how})")
    for x in notes:
        out.append(f"  note: {x}")
    c = verify_counts(items)
    out.append(f"verify: {c['FAIL']} failed, {c['warn']} warnings, {c['pass']} passed, {c['n/a']} n/a"
               + (" -> NOT TUNED" if c["FAIL"] else " -> ok"))
    return "\n".join(out) + "\n"


def verify_json(plan: Plan, items: list[Item], notes: list[str], root: str) -> str:
    c = verify_counts(items)
    doc = {"topology": plan.topology, "state_root": root, "ok": c["FAIL"] == 0, "counts": c, "notes": notes,
           "items": [{"id": i.id, "status": i.verify_status(), "severity": i.severity, "current": i.current,
                      "wanted": i.wanted, "how": i.how} for i in items]}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

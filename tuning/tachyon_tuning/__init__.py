# tachyon's latency tuning logic (tuning/plan, apply, verify, revert): Python 3 standard
# library only, reading the topology through hwloc's tools. No shared mutable state.
"""hwloc-guided latency tuning for the tachyon appliance."""

// The process's hwloc topology, loaded on first use and never modified afterwards
// (hwloc allows concurrent reads of a loaded topology). Internal to dataplane/.
#pragma once

#include <hwloc.h>

namespace tachyon::dataplane::internal {

// Returns the loaded topology; throws std::runtime_error when hwloc cannot load it.
hwloc_topology_t topology();

}  // namespace tachyon::dataplane::internal

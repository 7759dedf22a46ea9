// Assembles a RunProfile from what a profiled replay left behind: the replay summary,
// the core's probes and collected stage histograms, and the resource sampler's series.
// Control path, after the replay has returned; not thread-safe.
#pragma once

#include <string>

#include "tachyon/controlplane/run_profile.h"
#include "tachyon/dataplane/core_probes.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/resource_sampler.h"
#include "tachyon/dataplane/stage_probes.h"

namespace tachyon::controlplane {

struct ProfileSources {
  const dataplane::ReplayOptions& options;
  const dataplane::ReplaySummary& summary;
  const dataplane::CoreProbes& probes;
  const dataplane::StageHistograms& stages;  // every snapshot of probes, drained
  const dataplane::ResourceSampler& sampler; // stopped
  std::string command;                       // the command line, for the record
  int cpus_allowed = 0;                      // CPUs the replay thread could run on
};

RunProfile build_run_profile(const ProfileSources& src);

// Returns the number of CPUs in the calling thread's affinity mask.
int allowed_cpu_count();

}  // namespace tachyon::controlplane

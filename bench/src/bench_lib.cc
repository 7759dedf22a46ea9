// Anchor translation unit for the workload-generator library while it arrives.
namespace tachyon::bench {}

// Anchor translation unit for the dataplane library while its parts arrive.
namespace tachyon::dataplane {}

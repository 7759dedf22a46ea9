// Anchor translation unit for the nic library while its backends arrive.
namespace tachyon::nic {}

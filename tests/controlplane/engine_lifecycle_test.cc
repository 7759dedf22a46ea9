// The engine's run-state machine: only the documented steps are taken, every state is
// kept in order, and the text and JSON forms name them.
#include "tachyon/controlplane/engine_lifecycle.h"

#include <gtest/gtest.h>

#include <vector>

namespace tachyon::controlplane {
namespace {

using S = EngineRunState;

TEST(EngineLifecycle, FollowsInitRunningPausedRunningStoppingStopped) {
  EngineLifecycle l;
  EXPECT_EQ(l.state(), S::kInit);
  EXPECT_FALSE(l.move(S::kRunning, S::kPaused));  // not running yet
  EXPECT_TRUE(l.move(S::kInit, S::kRunning));
  EXPECT_FALSE(l.move(S::kRunning, S::kStopped));  // stopped only through stopping
  EXPECT_FALSE(l.move(S::kRunning, S::kInit));
  EXPECT_TRUE(l.move(S::kRunning, S::kPaused));
  EXPECT_FALSE(l.move(S::kRunning, S::kPaused));  // already paused: no change
  EXPECT_TRUE(l.move(S::kPaused, S::kRunning));
  EXPECT_TRUE(l.stop());
  EXPECT_TRUE(l.stop());  // a second stop changes nothing
  EXPECT_FALSE(l.move(S::kStopping, S::kRunning));
  l.finish();
  l.finish();
  EXPECT_EQ(l.state(), S::kStopped);
  EXPECT_FALSE(l.stop());
  EXPECT_EQ(l.history(),
            (std::vector<S>{S::kInit, S::kRunning, S::kPaused, S::kRunning, S::kStopping, S::kStopped}));
  EXPECT_EQ(l.history_text(), "init -> running -> paused -> running -> stopping -> stopped");
  EXPECT_EQ(l.history_json(), R"(["init","running","paused","running","stopping","stopped"])");
}

TEST(EngineLifecycle, RecoveringIntoAPauseAndFailingBeforeInput) {
  EngineLifecycle paused;
  EXPECT_TRUE(paused.move(S::kInit, S::kPaused));  // a journaled pause is in force after recovery
  EXPECT_FALSE(paused.move(S::kInit, S::kRunning));
  EXPECT_TRUE(paused.move(S::kPaused, S::kRunning));
  EngineLifecycle failed;
  failed.finish();  // the run failed during recovery: it still passes through stopping
  EXPECT_EQ(failed.history_text(), "init -> stopping -> stopped");
  EXPECT_STREQ(to_string(S::kStopping), "stopping");
}

}  // namespace
}  // namespace tachyon::controlplane

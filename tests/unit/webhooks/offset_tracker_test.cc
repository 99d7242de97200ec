#include "storewire/webhooks/offset_tracker.h"

#include "gtest/gtest.h"

namespace storewire::webhooks {
namespace {

TEST(OffsetTrackerTest, CommitsOnlyPastTheLowestRecordInFlight) {
  OffsetTracker t;
  t.Start("t", 0, 10);
  t.Start("t", 0, 11);
  t.Start("t", 0, 12);
  EXPECT_EQ(t.Finish("t", 0, 11), std::nullopt);
  EXPECT_EQ(t.Finish("t", 0, 10), 11);
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_EQ(t.Finish("t", 0, 12), 12);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(OffsetTrackerTest, PartitionsAreIndependent) {
  OffsetTracker t;
  t.Start("t", 0, 5);
  t.Start("t", 1, 7);
  t.Start("u", 0, 3);
  EXPECT_EQ(t.Finish("t", 1, 7), 7);
  EXPECT_EQ(t.Finish("u", 0, 3), 3);
  EXPECT_EQ(t.Finish("t", 0, 5), 5);
}

TEST(OffsetTrackerTest, UnknownOrForgottenRecordsReportNothing) {
  OffsetTracker t;
  EXPECT_EQ(t.Finish("t", 0, 1), std::nullopt);
  t.Start("t", 0, 1);
  t.Forget("t", 0);
  EXPECT_EQ(t.Finish("t", 0, 1), std::nullopt);
  t.Start("t", 0, 2);
  EXPECT_EQ(t.Finish("t", 0, 2), 2);
  EXPECT_EQ(t.Finish("t", 0, 2), std::nullopt);  // twice
}

}  // namespace
}  // namespace storewire::webhooks

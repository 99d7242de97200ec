// The ingress status board and the normalizer's stats: what the control
// APIs report per app and store.
#include "storewire/ingress/status_board.h"

#include "gtest/gtest.h"
#include "storewire/normalizer/stats.h"

namespace storewire {
namespace {

TEST(StatusBoardTest, CountsByStatusAndKeepsTheLastReceivedAndRefusal) {
  ingress::StatusBoard board(absl::FromUnixSeconds(1000));
  board.Record(v1::STORE_APP_STORE, "demo", 200, absl::FromUnixSeconds(1001), "");
  board.Record(v1::STORE_APP_STORE, "demo", 200, absl::FromUnixSeconds(1002), "");
  board.Record(v1::STORE_APP_STORE, "demo", 415, absl::FromUnixSeconds(1003), "bad type");
  board.Record(v1::STORE_PLAY_STORE, "demo", 503, absl::FromUnixSeconds(1004), "not stored");
  v1::IngressStatusResponse s = board.Snapshot();
  EXPECT_EQ(s.started_at().seconds(), 1000);
  ASSERT_EQ(s.apps_size(), 2);
  const v1::IngressAppStatus& apple = s.apps(0);
  EXPECT_EQ(apple.app_id(), "demo");
  EXPECT_EQ(apple.store(), v1::STORE_APP_STORE);
  EXPECT_EQ(apple.counts_by_status().at(200), 2);
  EXPECT_EQ(apple.counts_by_status().at(415), 1);
  EXPECT_EQ(apple.last_received_at().seconds(), 1002);
  EXPECT_EQ(apple.last_rejection_status(), 415);
  EXPECT_EQ(apple.last_rejection_reason(), "bad type");
  EXPECT_EQ(apple.last_rejected_at().seconds(), 1003);
  const v1::IngressAppStatus& google = s.apps(1);
  EXPECT_EQ(google.store(), v1::STORE_PLAY_STORE);
  EXPECT_FALSE(google.has_last_received_at());
  EXPECT_EQ(google.last_rejection_status(), 503);
}

TEST(NormalizerStatsTest, CountsEventsByTypeAndRejectionsByReason) {
  normalizer::NormalizerStats stats;
  stats.CountEvent(v1::STORE_APP_STORE, "demo", "RENEWED", absl::FromUnixSeconds(5));
  stats.CountEvent(v1::STORE_APP_STORE, "demo", "RENEWED", absl::FromUnixSeconds(6));
  stats.CountRejection(v1::STORE_APP_STORE, "demo", "BAD_SIGNATURE", absl::FromUnixSeconds(7));
  stats.set_paused(true);
  v1::NormalizerStatusResponse r;
  stats.Fill(r);
  EXPECT_TRUE(r.paused());
  ASSERT_EQ(r.apps_size(), 1);
  EXPECT_EQ(r.apps(0).events_by_type().at("RENEWED"), 2);
  EXPECT_EQ(r.apps(0).rejections_by_reason().at("BAD_SIGNATURE"), 1);
  EXPECT_EQ(r.apps(0).last_processed_at().seconds(), 7);
}

}  // namespace
}  // namespace storewire

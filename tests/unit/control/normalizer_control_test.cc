// NormalizerControlService against a fake RecordStore: replay re-publishes
// the raw records of the range unchanged (plus storewire_replay_of), the
// rejected topic is listed with filters and resubmitted by id or filter,
// status adds the lag, pause/resume reach the hook.
#include "storewire/control/normalizer_control.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/core/stores.h"

namespace storewire::control {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Topics as vectors of records; Read honours from/to offsets of one range.
class FakeRecordStore : public RecordStore {
 public:
  absl::Status Read(const kafka::TopicRange& range, const kafka::RecordVisitor& visit) override {
    ranges.push_back(range);
    if (!read_error.ok()) return read_error;
    auto it = topics.find(range.topic);
    if (it == topics.end()) return absl::NotFoundError("no topic " + range.topic);
    for (const kafka::ConsumedRecord& r : it->second) {
      if (!range.from_offsets.empty()) {
        auto from = range.from_offsets.find(r.partition);
        if (from == range.from_offsets.end() || r.offset < from->second) continue;
      }
      if (auto to = range.to_offsets.find(r.partition);
          to != range.to_offsets.end() && r.offset >= to->second) {
        continue;
      }
      if (!visit(r)) break;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<kafka::PartitionOffsets>> GroupOffsets(
      const std::string& group_id, const std::vector<std::string>& topic_names) override {
    group = group_id;
    if (!offsets_error.ok()) return offsets_error;
    return offsets;
  }
  absl::Status Publish(std::vector<kafka::OutgoingRecord> records) override {
    for (auto& r : records) published.push_back(std::move(r));
    return publish_error;
  }

  std::map<std::string, std::vector<kafka::ConsumedRecord>> topics;
  std::vector<kafka::TopicRange> ranges;
  std::vector<kafka::PartitionOffsets> offsets;
  std::vector<kafka::OutgoingRecord> published;
  std::string group;
  absl::Status read_error, offsets_error, publish_error;
};

v1::RawNotification Raw(const std::string& app, const std::string& body) {
  v1::RawNotification raw;
  raw.set_store(v1::STORE_APP_STORE);
  raw.set_app_id(app);
  raw.set_body(body);
  raw.set_partition_key("key-" + body);
  raw.set_request_id("req-" + body);
  return raw;
}

kafka::ConsumedRecord Rejected(int32_t partition, int64_t offset, const std::string& app,
                               v1::RejectReason reason, int64_t rejected_at) {
  v1::RejectedNotification r;
  *r.mutable_raw() = Raw(app, absl::StrCat("body", offset));
  r.set_reason(reason);
  r.set_detail("why");
  r.set_source_topic("sw.raw.apple");
  r.mutable_rejected_at()->set_seconds(rejected_at);
  return {.topic = "sw.rejected",
          .partition = partition,
          .offset = offset,
          .key = "k",
          .value = r.SerializeAsString()};
}

class NormalizerControlTest : public ::testing::Test {
 protected:
  NormalizerControlTest() {
    config_.kafka.topic_prefix = "sw";
    config_.normalizer.group_id = "sw-normalizer";
  }
  NormalizerControlService Service() {
    return NormalizerControlService(
        config_, auth_, store_,
        {.fill_stats = [this](v1::NormalizerStatusResponse& r) { r.set_paused(paused_); },
         .set_paused = [this](bool p) { paused_ = p; }});
  }

  Config config_;
  Authenticator auth_;
  FakeRecordStore store_;
  bool paused_ = false;
  grpc::ServerContext context_;
};

TEST_F(NormalizerControlTest, ReplayRepublishesTheRangeUnchangedWithItsOrigin) {
  store_.topics["sw.raw.apple"] = {
      {.topic = "sw.raw.apple",
       .partition = 1,
       .offset = 7,
       .key = "key-a",
       .value = Raw("demo", "a").SerializeAsString(),
       .headers = {{"request_id", "req-a"}}},
      {.topic = "sw.raw.apple",
       .partition = 1,
       .offset = 8,
       .key = "key-b",
       .value = Raw("other", "b").SerializeAsString()},
  };
  v1::ReplayRequest request;
  request.set_store(v1::STORE_APP_STORE);
  request.set_app_id("demo");
  request.add_from_offsets()->set_partition(1);
  request.mutable_from_offsets(0)->set_offset(7);
  v1::ReplayResponse response;
  grpc::Status s = Service().Replay(&context_, &request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.topic(), "sw.raw.apple");
  EXPECT_EQ(response.records_read(), 2);
  EXPECT_EQ(response.records_replayed(), 1);
  ASSERT_EQ(store_.published.size(), 1u);
  const kafka::OutgoingRecord& out = store_.published[0];
  EXPECT_EQ(out.topic, "sw.raw.apple");
  EXPECT_EQ(out.key, "key-a");
  EXPECT_EQ(out.value, Raw("demo", "a").SerializeAsString());
  EXPECT_THAT(out.headers, ElementsAre(kafka::Header{"request_id", "req-a"},
                                       kafka::Header{"storewire_replay_of", "sw.raw.apple/1@7"}));
  ASSERT_EQ(store_.ranges.size(), 1u);
  EXPECT_EQ(store_.ranges[0].from_offsets.at(1), 7);
}

TEST_F(NormalizerControlTest, ReplayNeedsAStoreAndAnOrderedTimeRange) {
  v1::ReplayRequest request;
  v1::ReplayResponse response;
  EXPECT_EQ(Service().Replay(&context_, &request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_store(v1::STORE_APP_STORE);
  request.mutable_from_time()->set_seconds(2000);
  request.mutable_to_time()->set_seconds(1000);
  EXPECT_EQ(Service().Replay(&context_, &request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(store_.published.empty());
}

TEST_F(NormalizerControlTest, ReplayReportsKafkaUnavailableAsUnavailable) {
  store_.read_error = absl::UnavailableError("broker down");
  v1::ReplayRequest request;
  request.set_store(v1::STORE_APP_STORE);
  v1::ReplayResponse response;
  grpc::Status s = Service().Replay(&context_, &request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("broker down"));
}

TEST_F(NormalizerControlTest, RejectedListFiltersAndPutsTheNewestFirst) {
  store_.topics["sw.rejected"] = {
      Rejected(0, 0, "demo", v1::REJECT_REASON_BAD_SIGNATURE, 100),
      Rejected(0, 1, "demo", v1::REJECT_REASON_UNKNOWN_APP, 300),
      Rejected(1, 0, "demo", v1::REJECT_REASON_BAD_SIGNATURE, 200),
      Rejected(1, 1, "other", v1::REJECT_REASON_BAD_SIGNATURE, 400),
  };
  v1::RejectedListRequest request;
  request.mutable_filter()->set_app_id("demo");
  request.mutable_filter()->set_reason(v1::REJECT_REASON_BAD_SIGNATURE);
  v1::RejectedListResponse response;
  ASSERT_TRUE(Service().RejectedList(&context_, &request, &response).ok());
  EXPECT_EQ(response.total_matching(), 2);
  ASSERT_EQ(response.entries_size(), 2);
  EXPECT_EQ(response.entries(0).id(), "1:0");
  EXPECT_EQ(response.entries(1).id(), "0:0");
  EXPECT_EQ(response.entries(0).rejected().reason(), v1::REJECT_REASON_BAD_SIGNATURE);

  request.set_limit(1);
  request.clear_filter();
  response.Clear();
  ASSERT_TRUE(Service().RejectedList(&context_, &request, &response).ok());
  EXPECT_EQ(response.total_matching(), 4);
  ASSERT_EQ(response.entries_size(), 1);
  EXPECT_EQ(response.entries(0).id(), "1:1");
}

TEST_F(NormalizerControlTest, RejectedListOfAMissingTopicIsEmpty) {
  v1::RejectedListRequest request;
  v1::RejectedListResponse response;
  ASSERT_TRUE(Service().RejectedList(&context_, &request, &response).ok());
  EXPECT_EQ(response.entries_size(), 0);
}

TEST_F(NormalizerControlTest, ResubmitByIdRepublishesTheRawRecordAndNamesMissingIds) {
  store_.topics["sw.rejected"] = {
      Rejected(0, 0, "demo", v1::REJECT_REASON_BAD_SIGNATURE, 100),
      Rejected(0, 1, "demo", v1::REJECT_REASON_UNKNOWN_APP, 300),
  };
  v1::RejectedResubmitRequest request;
  request.add_ids("0:1");
  request.add_ids("0:5");
  v1::RejectedResubmitResponse response;
  ASSERT_TRUE(Service().RejectedResubmit(&context_, &request, &response).ok());
  EXPECT_EQ(response.resubmitted(), 1);
  EXPECT_THAT(response.not_found(), ElementsAre("0:5"));
  ASSERT_EQ(store_.published.size(), 1u);
  const kafka::OutgoingRecord& out = store_.published[0];
  EXPECT_EQ(out.topic, "sw.raw.apple");
  EXPECT_EQ(out.key, "key-body1");
  EXPECT_EQ(out.value, Raw("demo", "body1").SerializeAsString());
  EXPECT_THAT(out.headers,
              ElementsAre(kafka::Header{"request_id", "req-body1"},
                          kafka::Header{"storewire_resubmitted_from", "sw.rejected/0:1"}));
}

TEST_F(NormalizerControlTest, ResubmitAllTakesTheFilter) {
  store_.topics["sw.rejected"] = {
      Rejected(0, 0, "demo", v1::REJECT_REASON_BAD_SIGNATURE, 100),
      Rejected(0, 1, "demo", v1::REJECT_REASON_UNKNOWN_APP, 300),
      Rejected(2, 0, "demo", v1::REJECT_REASON_UNKNOWN_APP, 300),
  };
  v1::RejectedResubmitRequest request;
  request.set_all(true);
  request.mutable_filter()->set_reason(v1::REJECT_REASON_UNKNOWN_APP);
  v1::RejectedResubmitResponse response;
  ASSERT_TRUE(Service().RejectedResubmit(&context_, &request, &response).ok());
  EXPECT_EQ(response.resubmitted(), 2);
  EXPECT_EQ(store_.published.size(), 2u);
}

TEST_F(NormalizerControlTest, ResubmitRejectsBadIdsAndAmbiguousRequests) {
  v1::RejectedResubmitRequest request;
  v1::RejectedResubmitResponse response;
  EXPECT_EQ(Service().RejectedResubmit(&context_, &request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.add_ids("zero:1");
  grpc::Status s = Service().RejectedResubmit(&context_, &request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("PARTITION:OFFSET"));
  request.set_all(true);
  EXPECT_EQ(Service().RejectedResubmit(&context_, &request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(store_.published.empty());
}

TEST_F(NormalizerControlTest, StatusAddsTheLagOfTheNormalizersGroup) {
  store_.offsets = {
      {.topic = "sw.raw.apple",
       .partition = 0,
       .low_watermark = 0,
       .high_watermark = 10,
       .committed = 7},
      {.topic = "sw.raw.apple",
       .partition = 1,
       .low_watermark = 2,
       .high_watermark = 5,
       .committed = -1},
  };
  paused_ = true;
  v1::NormalizerStatusRequest request;
  v1::NormalizerStatusResponse response;
  ASSERT_TRUE(Service().Status(&context_, &request, &response).ok());
  EXPECT_EQ(store_.group, "sw-normalizer");
  EXPECT_TRUE(response.paused());
  EXPECT_EQ(response.total_lag(), 6);
  ASSERT_EQ(response.partitions_size(), 2);
  EXPECT_EQ(response.partitions(0).lag(), 3);
  EXPECT_EQ(response.partitions(1).committed_offset(), -1);
  EXPECT_EQ(response.partitions(1).lag(), 3);
}

TEST_F(NormalizerControlTest, StatusWithoutKafkaStillAnswersAndSaysWhy) {
  store_.offsets_error = absl::UnavailableError("broker 127.0.0.1:1 unreachable");
  v1::NormalizerStatusRequest request;
  v1::NormalizerStatusResponse response;
  ASSERT_TRUE(Service().Status(&context_, &request, &response).ok());
  EXPECT_THAT(response.lag_error(), HasSubstr("unreachable"));
}

TEST_F(NormalizerControlTest, PauseAndResumeReachTheHook) {
  v1::PauseResponse paused;
  ASSERT_TRUE(Service().Pause(&context_, nullptr, &paused).ok());
  EXPECT_TRUE(paused.paused());
  EXPECT_TRUE(paused_);
  v1::ResumeResponse resumed;
  ASSERT_TRUE(Service().Resume(&context_, nullptr, &resumed).ok());
  EXPECT_FALSE(resumed.paused());
  EXPECT_FALSE(paused_);
}

TEST_F(NormalizerControlTest, EveryVerbChecksTheToken) {
  Authenticator strict({"t0ken"});
  NormalizerControlService service(config_, strict, store_, {});
  v1::PauseResponse paused;
  EXPECT_EQ(service.Pause(&context_, nullptr, &paused).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::RejectedListRequest list;
  v1::RejectedListResponse listed;
  EXPECT_EQ(service.RejectedList(&context_, &list, &listed).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ReplayRequest replay;
  replay.set_store(v1::STORE_APP_STORE);
  v1::ReplayResponse replayed;
  EXPECT_EQ(service.Replay(&context_, &replay, &replayed).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(store_.ranges.empty());
}

}  // namespace
}  // namespace storewire::control

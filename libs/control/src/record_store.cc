#include "storewire/control/record_store.h"

#include <condition_variable>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"

namespace storewire::control {
namespace {

class KafkaRecordStore final : public RecordStore {
 public:
  KafkaRecordStore(kafka::ClientOptions options, kafka::RecordSink& sink, absl::Duration timeout)
      : options_(std::move(options)), sink_(sink), timeout_(timeout) {}

  absl::Status Read(const kafka::TopicRange& range, const kafka::RecordVisitor& visit) override {
    return kafka::ReadRange(options_, range, timeout_, visit);
  }

  absl::StatusOr<std::vector<kafka::PartitionOffsets>> GroupOffsets(
      const std::string& group_id, const std::vector<std::string>& topics) override {
    return kafka::GroupOffsets(options_, group_id, topics, timeout_);
  }

  absl::Status Publish(std::vector<kafka::OutgoingRecord> records) override {
    struct Waiter {
      std::mutex mu;
      std::condition_variable cv;
      size_t left = 0;
      absl::Status first_error;
    };
    auto waiter = std::make_shared<Waiter>();
    waiter->left = records.size();
    for (kafka::OutgoingRecord& record : records) {
      sink_.Send(std::move(record), [waiter](absl::Status status) {
        std::lock_guard<std::mutex> lock(waiter->mu);
        if (!status.ok() && waiter->first_error.ok()) waiter->first_error = std::move(status);
        if (--waiter->left == 0) waiter->cv.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(waiter->mu);
    if (!waiter->cv.wait_for(lock, absl::ToChronoMilliseconds(timeout_),
                             [&waiter] { return waiter->left == 0; })) {
      return absl::DeadlineExceededError(absl::StrCat(waiter->left,
                                                      " records not acknowledged by Kafka within ",
                                                      absl::FormatDuration(timeout_)));
    }
    return waiter->first_error;
  }

 private:
  const kafka::ClientOptions options_;
  kafka::RecordSink& sink_;
  const absl::Duration timeout_;
};

}  // namespace

std::unique_ptr<RecordStore> MakeKafkaRecordStore(kafka::ClientOptions options,
                                                  kafka::RecordSink& sink, absl::Duration timeout) {
  return std::make_unique<KafkaRecordStore>(std::move(options), sink, timeout);
}

}  // namespace storewire::control

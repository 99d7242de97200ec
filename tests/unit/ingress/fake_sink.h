// A RecordSink with knobs for ingress tests: succeed, fail with a status,
// complete after a delay, or never complete.
#ifndef STOREWIRE_TESTS_UNIT_INGRESS_FAKE_SINK_H_
#define STOREWIRE_TESTS_UNIT_INGRESS_FAKE_SINK_H_

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storewire/kafka/kafka.h"

namespace storewire::testing {

class FakeSink final : public kafka::RecordSink {
 public:
  enum class Mode { kSucceed, kFail, kDelay, kNever };

  ~FakeSink() override {
    for (std::thread& t : threads_) t.join();
  }

  void Succeed() { Set(Mode::kSucceed, absl::OkStatus(), absl::ZeroDuration()); }
  void Fail(absl::Status status) { Set(Mode::kFail, std::move(status), absl::ZeroDuration()); }
  // Completes with `status` after `delay`, from another thread.
  void Delay(absl::Duration delay, absl::Status status = absl::OkStatus()) {
    Set(Mode::kDelay, std::move(status), delay);
  }
  void Never() { Set(Mode::kNever, absl::OkStatus(), absl::ZeroDuration()); }

  void Send(kafka::OutgoingRecord record, DeliveryCallback done) override {
    Mode mode;
    absl::Status status;
    absl::Duration delay;
    {
      std::lock_guard<std::mutex> lock(mu_);
      records_.push_back(std::move(record));
      mode = mode_;
      status = status_;
      delay = delay_;
      if (mode == Mode::kNever) {
        parked_.push_back(std::move(done));
        return;
      }
      if (mode == Mode::kDelay) {
        threads_.emplace_back([this, done = std::move(done), status, delay] {
          absl::SleepFor(delay);  // the simulated broker latency
          done(status);
          ++delivered_;
        });
        return;
      }
    }
    done(mode == Mode::kSucceed ? absl::OkStatus() : status);
    ++delivered_;
  }

  // Delivery callbacks that returned.
  int delivered() const { return delivered_.load(); }

  std::vector<kafka::OutgoingRecord> records() const {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return records_.size();
  }

 private:
  void Set(Mode mode, absl::Status status, absl::Duration delay) {
    std::lock_guard<std::mutex> lock(mu_);
    mode_ = mode;
    status_ = std::move(status);
    delay_ = delay;
  }

  mutable std::mutex mu_;
  Mode mode_ = Mode::kSucceed;
  absl::Status status_;
  absl::Duration delay_;
  std::vector<kafka::OutgoingRecord> records_;
  std::vector<DeliveryCallback> parked_;
  std::vector<std::thread> threads_;
  std::atomic<int> delivered_{0};
};

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTS_UNIT_INGRESS_FAKE_SINK_H_

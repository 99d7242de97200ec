// Producer: idempotent, acks=all, one delivery callback per record, served by
// a background thread that polls librdkafka's delivery reports.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client.h"
#include "errors.h"
#include "storewire/core/log.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka {
namespace {

using internal::FromError;

constexpr int kPollIntervalMs = 100;
// Upper bound for waiting on outstanding deliveries when the producer is destroyed.
constexpr absl::Duration kMaxShutdownFlush = absl::Seconds(10);

class ProducerImpl final : public Producer {
 public:
  ProducerImpl(std::string brokers, absl::Duration delivery_timeout)
      : brokers_(std::move(brokers)), delivery_timeout_(delivery_timeout) {}

  absl::Status Start(const ClientOptions& options) {
    auto conf = internal::NewConf(
        options, {{"enable.idempotence", "true"},
                  {"acks", "all"},
                  {"message.timeout.ms", std::to_string(internal::ToMillis(delivery_timeout_))},
                  {"linger.ms", "5"}});
    if (!conf.ok()) return conf.status();
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf->get(), &ProducerImpl::OnDelivery);
    auto handle = internal::NewHandle(RD_KAFKA_PRODUCER, *std::move(conf));
    if (!handle.ok()) return handle.status();
    rk_ = *std::move(handle);
    poller_ = std::thread([this] { PollLoop(); });
    return absl::OkStatus();
  }

  ~ProducerImpl() override {
    if (!rk_) return;
    stopping_.store(true);
    poller_.join();
    rd_kafka_flush(rk_.get(), internal::ToMillis(std::min(delivery_timeout_, kMaxShutdownFlush)));
    // Whatever is left completes with kUnavailable (purged) so that every
    // callback still runs exactly once.
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    for (int i = 0; i < 50 && in_flight_.load() > 0; ++i) rd_kafka_poll(rk_.get(), kPollIntervalMs);
    if (in_flight_.load() > 0) {
      log::Error("kafka producer destroyed with undelivered records",
                 {{"in_flight", std::to_string(in_flight_.load())}});
    }
  }

  void Send(OutgoingRecord record, DeliveryCallback done) override {
    if (record.topic.empty()) {
      done(absl::InvalidArgumentError("record without a topic"));
      return;
    }
    auto* callback = new DeliveryCallback(std::move(done));
    std::vector<rd_kafka_vu_t> vus = internal::ProduceArgs(record, callback);

    in_flight_.fetch_add(1);
    internal::ErrorPtr error(rd_kafka_produceva(rk_.get(), vus.data(), vus.size()));
    if (error == nullptr) return;
    in_flight_.fetch_sub(1);
    absl::Status status;
    if (rd_kafka_error_code(error.get()) == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk_.get(), reason, sizeof(reason));
      status = absl::FailedPreconditionError(
          absl::StrCat("kafka producer is in a fatal state: ", reason, " (",
                       rd_kafka_err2name(fatal), "). Hint: restart the service"));
    } else {
      status = internal::FromErrorObject(error.get(), absl::StrCat("produce to ", record.topic),
                                         brokers_);
    }
    (*callback)(std::move(status));
    delete callback;
  }

  absl::Status Flush(absl::Duration timeout) override {
    const rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), internal::ToMillis(timeout));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
    return FromError(err, "flush", brokers_,
                     absl::StrCat(in_flight_.load(), " records still in flight after ",
                                  absl::FormatDuration(timeout)));
  }

  absl::Status CheckReachable(absl::Duration timeout) override {
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_metadata(rk_.get(), 0, nullptr, &metadata, internal::ToMillis(timeout));
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
    return FromError(err, "kafka metadata request", brokers_,
                     absl::StrCat("no broker answered within ", absl::FormatDuration(timeout)));
  }

  int64_t InFlight() const override { return in_flight_.load(); }

 private:
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
    auto* self = static_cast<ProducerImpl*>(opaque);
    std::unique_ptr<DeliveryCallback> callback(static_cast<DeliveryCallback*>(message->_private));
    absl::Status status = absl::OkStatus();
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status =
          FromError(message->err, absl::StrCat("delivery to ", rd_kafka_topic_name(message->rkt)),
                    self->brokers_);
    }
    self->in_flight_.fetch_sub(1);
    if (callback) (*callback)(std::move(status));
  }

  void PollLoop() {
    while (!stopping_.load()) rd_kafka_poll(rk_.get(), kPollIntervalMs);
  }

  const std::string brokers_;
  const absl::Duration delivery_timeout_;
  internal::HandlePtr rk_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const ClientOptions& options,
                                                           absl::Duration delivery_timeout) {
  if (delivery_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("kafka delivery timeout must be positive");
  }
  auto producer = std::make_unique<ProducerImpl>(options.brokers, delivery_timeout);
  if (absl::Status s = producer->Start(options); !s.ok()) return s;
  return producer;
}

}  // namespace storewire::kafka

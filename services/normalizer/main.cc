// storewire-normalizer: consumes every raw topic in one consumer group and
// turns each record into SubscriptionEvents (or a rejection) inside Kafka
// transactions. Logic: libs/normalizer; loop: libs/kafka.
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "storewire/control/normalizer_control.h"
#include "storewire/control/record_store.h"
#include "storewire/control/server.h"
#include "storewire/core/clock.h"
#include "storewire/core/log.h"
#include "storewire/http/admin.h"
#include "storewire/kafka/kafka.h"
#include "storewire/normalizer/deferral.h"
#include "storewire/normalizer/normalizer.h"
#include "storewire/normalizer/stats.h"
#include "storewire/service/service.h"

namespace {

constexpr char kUsage[] =
    "usage: storewire-normalizer [--config FILE] [--instance-id ID]\n"
    "Consumes <prefix>.raw.* and produces <prefix>.events.v1 and <prefix>.rejected,\n"
    "exactly once (Kafka transactions). --config defaults to $STOREWIRE_CONFIG, else\n"
    "./storewire.yaml; --instance-id (default $STOREWIRE_INSTANCE_ID, else the host name)\n"
    "must be stable per replica: it names the transactional id that fences a zombie.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace storewire;
  absl::StatusOr<service::ServiceContext> ctx =
      service::StartService(argc, argv, "normalizer", kUsage);
  if (!ctx.ok()) return service::ExitCodeFor(ctx.status());
  const Config& config = ctx->config;

  absl::StatusOr<kafka::ClientOptions> client =
      service::KafkaClientOptions(config, "storewire-normalizer-" + ctx->instance_id);
  if (!client.ok()) {
    log::Error("cannot start", {{"error", std::string(client.status().message())}});
    return 2;
  }
  absl::StatusOr<normalizer::AdapterSet> adapters = normalizer::BuildAdapters(config);
  if (!adapters.ok()) {
    log::Error("cannot load store adapters", {{"error", std::string(adapters.status().message())}});
    return 2;
  }
  normalizer::NormalizerStats stats;
  normalizer::Normalizer logic(config, *std::move(adapters), SystemClock::Get(), &stats);

  std::atomic<bool> running{false};
  auto admin = http::StartAdminServer(
      {.name = "admin",
       .bind_address = config.normalizer.ports.bind_address,
       .port = config.normalizer.ports.admin_port},
      [&]() -> absl::Status {
        return running.load() ? absl::OkStatus()
                              : absl::UnavailableError("transactional loop not running yet");
      });
  if (!admin.ok()) {
    log::Error("cannot start admin server", {{"error", std::string(admin.status().message())}});
    return 2;
  }
  // The control API: its own producer for replay/resubmit; pause applies to
  // whichever transactional loop is running (and to the next one).
  absl::StatusOr<std::unique_ptr<kafka::Producer>> control_producer =
      kafka::Producer::Create(*client, absl::Seconds(30));
  if (!control_producer.ok()) {
    log::Error("cannot create the control producer",
               {{"error", std::string(control_producer.status().message())}});
    return 2;
  }
  std::unique_ptr<control::RecordStore> record_store =
      control::MakeKafkaRecordStore(*client, **control_producer);
  std::mutex processor_mu;
  kafka::TransactionalProcessor* current_processor = nullptr;
  control::ControlServer control;
  if (absl::Status s = control.Configure(config.control); !s.ok()) {
    log::Error("bad control config", {{"error", std::string(s.message())}});
    return 2;
  }
  control::NormalizerControlService normalizer_control(
      config, control.authenticator(), *record_store,
      {.fill_stats = [&stats](v1::NormalizerStatusResponse& r) { stats.Fill(r); },
       .set_paused =
           [&](bool paused) {
             std::lock_guard<std::mutex> lock(processor_mu);
             stats.set_paused(paused);
             if (current_processor != nullptr) current_processor->SetPaused(paused);
           }});
  control.AddService(&normalizer_control);
  if (absl::Status s =
          control.Start(config.normalizer.ports.bind_address, config.normalizer.ports.control_port);
      !s.ok()) {
    log::Error("cannot start control server", {{"error", std::string(s.message())}});
    return 2;
  }
  log::Info("listening", {{"admin_port", std::to_string((*admin)->port())},
                          {"control_port", std::to_string(control.port())}});

  if (absl::Status s = service::EnsureTopicsPatiently(*client, service::PipelineTopics(config));
      !s.ok()) {
    log::Error("cannot create topics", {{"error", std::string(s.message())}});
    return s.code() == absl::StatusCode::kCancelled ? 0 : 1;
  }

  kafka::TransactionalProcessor::Options options;
  options.client = *client;
  options.group_id = config.normalizer.group_id;
  options.input_topics = logic.InputTopics();
  options.transactional_id =
      absl::StrCat(config.normalizer.transactional_id_prefix, "-", ctx->instance_id);
  options.group_instance_id = options.transactional_id;
  options.max_batch_records = config.normalizer.max_batch_records;
  options.max_batch_wait = config.normalizer.max_batch_wait;
  // A batch's store API calls (Google Play) run at once before its transaction.
  options.before_batch = [&logic](const std::vector<kafka::ConsumedRecord>& batch,
                                  const std::atomic<bool>&) { logic.Prefetch(batch); };
  // Records whose store API stays unavailable go to <prefix>.retry.<store>
  // instead of blocking their partition; a second loop (own group and
  // transactional id) normalizes them again once due (deferral.h).
  const normalizer::DeferralPolicy deferral;
  auto transform = [&logic, &deferral](const kafka::ConsumedRecord& in,
                                       std::vector<kafka::OutgoingRecord>& out) {
    return normalizer::TransformOrDefer(logic, deferral, in, out, SystemClock::Get().Now());
  };
  kafka::TransactionalProcessor::Options retry_options = options;
  retry_options.group_id = options.group_id + "-retry";
  retry_options.transactional_id = options.transactional_id + "-retry";
  retry_options.group_instance_id = retry_options.transactional_id;
  retry_options.input_topics.clear();
  for (v1::Store store : kAllStores)
    retry_options.input_topics.push_back(logic.topics().Retry(store));
  retry_options.before_batch = [&logic](const std::vector<kafka::ConsumedRecord>& batch,
                                        const std::atomic<bool>& stop) {
    normalizer::WaitUntilDue(batch, absl::Minutes(1), stop);
    logic.Prefetch(batch);
  };
  std::atomic<bool> retry_stop{false};  // set once the main loop has ended
  std::thread retry_loop([&] {
    absl::Duration retry_backoff = absl::Seconds(1);
    while (!retry_stop.load()) {
      auto processor = kafka::TransactionalProcessor::Create(retry_options, transform);
      absl::Status s = processor.ok() ? (*processor)->Run(retry_stop) : processor.status();
      if (s.ok() || s.code() == absl::StatusCode::kAborted) break;
      log::Warn("retry loop failed; starting a new one", {{"error", std::string(s.message())}});
      if (service::WaitForStop(retry_backoff) || retry_stop.load()) break;
      retry_backoff = std::min(retry_backoff * 2, absl::Seconds(30));
    }
  });
  // A failed transactional producer is replaced by a new instance with the
  // same transactional.id: its init aborts whatever was open, and consumption
  // resumes from the committed offsets, so exactly-once holds. Being fenced
  // (another replica took our id) or a bad config ends the process.
  absl::Status result;
  absl::Duration backoff = absl::Seconds(1);
  while (!service::StopRequested().load()) {
    auto processor = kafka::TransactionalProcessor::Create(options, transform);
    if (!processor.ok()) {
      result = processor.status();
    } else {
      {
        std::lock_guard<std::mutex> lock(processor_mu);
        current_processor = processor->get();
        current_processor->SetPaused(stats.paused());
      }
      running = true;
      log::Info("normalizing", {{"group", options.group_id},
                                {"transactional_id", options.transactional_id},
                                {"brokers", client->brokers}});
      result = (*processor)->Run(service::StopRequested());
      running = false;
      std::lock_guard<std::mutex> lock(processor_mu);
      current_processor = nullptr;
    }
    if (result.ok() || result.code() == absl::StatusCode::kAborted ||
        result.code() == absl::StatusCode::kInvalidArgument) {
      break;
    }
    log::Warn(
        "transactional loop failed; starting a new one",
        {{"error", std::string(result.message())}, {"backoff", absl::FormatDuration(backoff)}});
    if (service::WaitForStop(backoff)) {
      result = absl::OkStatus();
      break;
    }
    backoff = std::min(backoff * 2, absl::Seconds(30));
  }
  running = false;
  retry_stop = true;
  retry_loop.join();
  control.Shutdown();
  (*admin)->Stop(absl::Seconds(2));
  if (!result.ok()) {
    log::Error("transactional loop ended", {{"error", std::string(result.message())}});
    return 1;
  }
  log::Info("stopped");
  return 0;
}

// EnsureTopics: metadata first, then CreateTopics through the Admin API for
// the missing ones; a topic that already exists counts as created.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client.h"
#include "errors.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka {
namespace {

using internal::FromError;

struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
};

}  // namespace

absl::Status EnsureTopics(const ClientOptions& options, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  auto conf = internal::NewConf(options, {});
  if (!conf.ok()) return conf.status();
  auto handle = internal::NewHandle(RD_KAFKA_PRODUCER, *std::move(conf));
  if (!handle.ok()) return handle.status();
  rd_kafka_t* rk = handle->get();

  // Which topics exist already? Only the others are created.
  std::vector<const TopicSpec*> missing;
  {
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &metadata, internal::ToMillis(timeout));
    if (err) return FromError(err, "kafka metadata", options.brokers);
    for (const TopicSpec& spec : topics) {
      bool exists = false;
      for (int i = 0; i < metadata->topic_cnt && !exists; ++i) {
        exists = metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                 spec.name == metadata->topics[i].topic;
      }
      if (!exists) missing.push_back(&spec);
    }
    rd_kafka_metadata_destroy(metadata);
  }
  if (missing.empty()) return absl::OkStatus();

  char error[512];
  std::vector<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>> owned;
  std::vector<rd_kafka_NewTopic_t*> new_topics;
  for (const TopicSpec* missing_spec : missing) {
    const TopicSpec& spec = *missing_spec;
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(
        spec.name.c_str(), spec.partitions, spec.replication_factor, error, sizeof(error));
    if (topic == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("topic ", spec.name, ": ", error));
    }
    owned.emplace_back(topic);
    new_topics.push_back(topic);
    for (const auto& [name, value] : spec.configs) {
      if (rd_kafka_resp_err_t err =
              rd_kafka_NewTopic_set_config(topic, name.c_str(), value.c_str());
          err) {
        return FromError(err, absl::StrCat("topic ", spec.name, " config ", name), options.brokers);
      }
    }
  }

  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> admin_options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int ms = internal::ToMillis(timeout);
  rd_kafka_AdminOptions_set_request_timeout(admin_options.get(), ms, error, sizeof(error));
  rd_kafka_AdminOptions_set_operation_timeout(admin_options.get(), ms, error, sizeof(error));

  internal::QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, new_topics.data(), new_topics.size(), admin_options.get(), queue.get());
  // The admin request has its own timeout; wait a little longer for its result.
  internal::EventPtr event(rd_kafka_queue_poll(queue.get(), ms + 5000));
  if (event == nullptr) {
    return FromError(RD_KAFKA_RESP_ERR__TIMED_OUT, "kafka CreateTopics", options.brokers);
  }
  if (rd_kafka_resp_err_t err = rd_kafka_event_error(event.get()); err) {
    return FromError(err, "kafka CreateTopics", options.brokers,
                     rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      continue;
    }
    const char* message = rd_kafka_topic_result_error_string(results[i]);
    return FromError(err, absl::StrCat("create topic ", rd_kafka_topic_result_name(results[i])),
                     options.brokers, message != nullptr ? message : "");
  }
  return absl::OkStatus();
}

}  // namespace storewire::kafka

#include "client.h"

#include <climits>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"

namespace storewire::kafka::internal {
namespace {

// librdkafka syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
void LogCallback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  log::Level out = log::Level::kDebug;
  if (level <= 3) {
    out = log::Level::kError;
  } else if (level == 4) {
    out = log::Level::kWarn;
  } else if (level <= 6) {
    out = log::Level::kInfo;
  }
  log::Write(out, "librdkafka",
             {{"client", rd_kafka_name(rk)}, {"facility", facility}, {"detail", message}});
}

absl::Status Set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char error[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) !=
      RD_KAFKA_CONF_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka property ", name, "=", value, " refused: ", error,
                     ". Hint: check the property under kafka.properties"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ConfPtr> NewConf(const ClientOptions& options,
                                const std::map<std::string, std::string>& settings) {
  if (options.brokers.empty()) {
    return absl::InvalidArgumentError(
        "no Kafka brokers configured. Hint: set kafka.brokers to host:port[,host:port]");
  }
  ConfPtr conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &LogCallback);
  std::map<std::string, std::string> all = {{"bootstrap.servers", options.brokers},
                                            {"client.id", options.client_id}};
  for (const auto& [name, value] : settings) all[name] = value;
  for (const auto& [name, value] : options.properties) all[name] = value;
  for (const auto& [name, value] : all) {
    if (absl::Status s = Set(conf.get(), name, value); !s.ok()) return s;
  }
  return conf;
}

absl::StatusOr<HandlePtr> NewHandle(rd_kafka_type_t type, ConfPtr conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof(error));
  if (rk == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot create Kafka client: ", error,
                                                   ". Hint: check the properties under kafka"));
  }
  conf.release();  // Owned by rk now.
  return HandlePtr(rk);
}

std::vector<rd_kafka_vu_t> ProduceArgs(const OutgoingRecord& record, void* opaque) {
  std::vector<rd_kafka_vu_t> vus;
  vus.reserve(5 + record.headers.size());
  rd_kafka_vu_t vu{};
  vu.vtype = RD_KAFKA_VTYPE_TOPIC;
  vu.u.cstr = record.topic.c_str();
  vus.push_back(vu);
  if (!record.key.empty()) {
    vu.vtype = RD_KAFKA_VTYPE_KEY;
    vu.u.mem.ptr = const_cast<char*>(record.key.data());
    vu.u.mem.size = record.key.size();
    vus.push_back(vu);
  }
  vu.vtype = RD_KAFKA_VTYPE_VALUE;
  vu.u.mem.ptr = const_cast<char*>(record.value.data());
  vu.u.mem.size = record.value.size();
  vus.push_back(vu);
  vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu.u.i = RD_KAFKA_MSG_F_COPY;
  vus.push_back(vu);
  if (opaque != nullptr) {
    vu.vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu.u.ptr = opaque;
    vus.push_back(vu);
  }
  for (const Header& header : record.headers) {
    vu.vtype = RD_KAFKA_VTYPE_HEADER;
    vu.u.header.name = header.key.c_str();
    vu.u.header.val = header.value.data();
    vu.u.header.size = static_cast<ssize_t>(header.value.size());
    vus.push_back(vu);
  }
  return vus;
}

int ToMillis(absl::Duration d) {
  const int64_t ms = absl::ToInt64Milliseconds(d);
  if (ms < 0) return 0;
  if (ms > INT_MAX) return INT_MAX;
  return static_cast<int>(ms);
}

std::vector<Header> ReadHeaders(const rd_kafka_message_t* message) {
  std::vector<Header> out;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    out.push_back({name, value == nullptr ? std::string()
                                          : std::string(static_cast<const char*>(value), size)});
  }
  return out;
}

ConsumedRecord ToRecord(const rd_kafka_message_t* message) {
  ConsumedRecord record;
  record.topic = rd_kafka_topic_name(message->rkt);
  record.partition = message->partition;
  record.offset = message->offset;
  if (message->key != nullptr) {
    record.key.assign(static_cast<const char*>(message->key), message->key_len);
  }
  if (message->payload != nullptr) {
    record.value.assign(static_cast<const char*>(message->payload), message->len);
  }
  record.headers = ReadHeaders(message);
  rd_kafka_timestamp_type_t type;
  record.timestamp_ms = rd_kafka_message_timestamp(message, &type);
  return record;
}

}  // namespace storewire::kafka::internal

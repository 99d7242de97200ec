#include <google/protobuf/util/time_util.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "args.h"
#include "storewire/cli/cli.h"
#include "storewire/core/config.h"
#include "storewire/core/log.h"
#include "storewire/core/stores.h"
#include "storewire/core/uuid.h"
#include "storewire/normalizer/normalizer.h"

namespace storewire::cli {
namespace {

constexpr char kDecodeUsage[] =
    "usage: storewirectl decode --store apple|google|huawei|amazon --app ID [--config FILE] "
    "[FILE|-]\n"
    "Verifies and normalizes one notification body exactly as the normalizer would, without\n"
    "Kafka. Accepted: one SubscriptionEvent per line (proto3 JSON), exit 0. Rejected:\n"
    "{\"rejected\":{\"reason\":...,\"detail\":...}}, exit 3. Bad usage or input: exit 2.\n";

bool ReadAll(std::istream& in, std::string& out) {
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int Decode(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {"store", "app", "config"}, {"help"});
  if (!parsed.ok()) {
    err << "storewirectl decode: " << parsed.status().message() << "\n" << kDecodeUsage;
    return kExitUsage;
  }
  if (parsed->Has("help")) {
    out << kDecodeUsage;
    return kExitOk;
  }
  std::optional<v1::Store> store = StoreFromRouteName(parsed->Get("store"));
  if (!store.has_value()) {
    err << "storewirectl decode: --store must be apple, google, huawei or amazon\n" << kDecodeUsage;
    return kExitUsage;
  }
  std::string app = parsed->Get("app");
  if (app.empty()) {
    err << "storewirectl decode: --app ID is required\n" << kDecodeUsage;
    return kExitUsage;
  }
  if (parsed->positional.size() > 1) {
    err << "storewirectl decode: at most one input file\n" << kDecodeUsage;
    return kExitUsage;
  }
  absl::StatusOr<Config> config = LoadServiceConfig(parsed->Get("config"));
  if (!config.ok()) {
    err << "storewirectl decode: " << config.status().message() << "\n";
    return kExitUsage;
  }
  std::string body;
  std::string input = parsed->positional.empty() ? "-" : parsed->positional[0];
  if (input == "-") {
    if (!ReadAll(in, body)) {
      err << "storewirectl decode: cannot read standard input\n";
      return kExitUsage;
    }
  } else {
    std::ifstream file(input, std::ios::binary);
    if (!file || !ReadAll(file, body)) {
      err << "storewirectl decode: cannot read '" << input << "'\n";
      return kExitUsage;
    }
  }
  absl::StatusOr<normalizer::AdapterSet> adapters = normalizer::BuildAdapters(*config);
  if (!adapters.ok()) {
    err << "storewirectl decode: " << adapters.status().message() << "\n";
    return kExitUsage;
  }
  absl::Time now = absl::Now();
  v1::RawNotification raw;
  raw.set_store(*store);
  raw.set_app_id(app);
  raw.set_body(body);
  raw.set_request_id(RandomUuid());
  raw.set_path(absl::StrCat("/v1/", StoreRouteName(*store), "/", app));
  *raw.mutable_received_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
  absl::StatusOr<stores::NormalizeResult> result =
      normalizer::NormalizeOne(*adapters, *config, raw, now);
  if (!result.ok()) {
    err << "storewirectl decode: could not finish (retry later): " << result.status().message()
        << "\n";
    return kExitFailure;
  }
  if (result->rejected.has_value()) {
    out << "{\"rejected\":{\"reason\":\"" << stores::RejectReasonName(result->rejected->reason)
        << "\",\"detail\":\"" << log::JsonEscape(result->rejected->detail) << "\"}}\n";
    return kExitRejected;
  }
  for (v1::SubscriptionEvent& event : result->events) {
    if (event.request_id().empty()) event.set_request_id(raw.request_id());
    if (!event.has_received_at()) *event.mutable_received_at() = raw.received_at();
    out << stores::EventToJson(event) << "\n";
  }
  return kExitOk;
}

}  // namespace storewire::cli

// storewirectl status | rejected list|resubmit | replay | pause | resume: thin
// clients of the IngressControl and NormalizerControl gRPC services.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "args.h"
#include "control_client.h"
#include "storewire/cli/cli.h"
#include "storewire/core/stores.h"
#include "storewire/stores/adapter.h"
#include "storewire/v1/control.grpc.pb.h"

namespace storewire::cli {
namespace {

using google::protobuf::util::TimeUtil;

constexpr absl::Duration kQuickCall = absl::Seconds(10);
constexpr absl::Duration kLongCall = absl::Minutes(10);

constexpr char kOpsUsage[] =
    "usage:\n"
    "  storewirectl status\n"
    "  storewirectl rejected list [--app ID] [--store S] [--reason R] [--limit N]\n"
    "  storewirectl rejected resubmit ID... | --all [--app ID] [--store S] [--reason R]\n"
    "  storewirectl replay --store S [--from TIME | --from-offset P:O] [--to TIME | --to-offset "
    "P:O] [--app ID]\n"
    "  storewirectl pause | resume\n"
    "common flags: --config FILE, --ingress HOST:PORT, --normalizer HOST:PORT,\n"
    "  --token TOKEN (default $STOREWIRE_CONTROL_TOKEN), --output table|json,\n"
    "  --tls-ca FILE [--tls-cert FILE --tls-key FILE].\n"
    "TIME: RFC 3339 (2026-11-22T03:00:00Z) or an age (90m, 2h, 1d = that long ago).\n"
    "Exit codes: 0 ok, 1 the service answered with an error, 2 bad usage,\n"
    "4 service unreachable, 5 authentication refused.\n";

std::string Json(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

std::string StoreName(v1::Store store) {
  return store == v1::STORE_UNSPECIFIED ? "-" : std::string(StoreRouteName(store));
}

template <typename Map>
std::string Counts(const Map& counts) {
  std::map<std::string, int64_t> sorted;
  for (const auto& [k, v] : counts) sorted[absl::StrCat(k)] = v;
  if (sorted.empty()) return "-";
  return absl::StrJoin(sorted, " ", absl::PairFormatter("="));
}

int Usage(std::ostream& err, const std::string& what) {
  err << "storewirectl: " << what << "\n" << kOpsUsage;
  return kExitUsage;
}

// Parses the flags common to every verb plus `extra`; prints usage on error.
struct Setup {
  ParsedArgs args;
  Config config;
  bool json = false;
};

absl::StatusOr<Setup> Prepare(const std::vector<std::string>& args,
                              const std::set<std::string>& extra,
                              const std::set<std::string>& switches) {
  std::set<std::string> with_value = kControlFlags;
  with_value.insert(extra.begin(), extra.end());
  std::set<std::string> all_switches = switches;
  all_switches.insert("help");
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, with_value, all_switches);
  if (!parsed.ok()) return parsed.status();
  Setup setup{.args = *parsed};
  absl::StatusOr<bool> json = WantsJson(setup.args);
  if (!json.ok()) return json.status();
  setup.json = *json;
  absl::StatusOr<Config> config = LoadControlConfig(setup.args);
  if (!config.ok()) return config.status();
  setup.config = *std::move(config);
  return setup;
}

absl::StatusOr<v1::Store> ParseStore(const std::string& name, bool required) {
  if (name.empty() && !required) return v1::STORE_UNSPECIFIED;
  std::optional<v1::Store> store = StoreFromRouteName(name);
  if (!store) return absl::InvalidArgumentError("--store must be apple, google, huawei or amazon");
  return *store;
}

absl::StatusOr<v1::RejectReason> ParseReason(const std::string& name) {
  if (name.empty()) return v1::REJECT_REASON_UNSPECIFIED;
  v1::RejectReason reason;
  if (v1::RejectReason_Parse(name, &reason) ||
      v1::RejectReason_Parse("REJECT_REASON_" + name, &reason)) {
    return reason;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--reason '", name, "' is not a reject reason (e.g. BAD_SIGNATURE)"));
}

absl::StatusOr<v1::RejectedFilter> ParseFilter(const ParsedArgs& args) {
  v1::RejectedFilter filter;
  filter.set_app_id(args.Get("app"));
  absl::StatusOr<v1::Store> store = ParseStore(args.Get("store"), false);
  if (!store.ok()) return store.status();
  filter.set_store(*store);
  absl::StatusOr<v1::RejectReason> reason = ParseReason(args.Get("reason"));
  if (!reason.ok()) return reason.status();
  filter.set_reason(*reason);
  return filter;
}

// RFC 3339, or an age ("2h" = two hours ago).
absl::StatusOr<google::protobuf::Timestamp> ParseWhen(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    absl::StatusOr<absl::Duration> age = ParseDurationText(text);
    if (!age.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", text, "' is neither an RFC 3339 time (2026-11-22T03:00:00Z) nor an age (2h)"));
    }
    t = absl::Now() - *age;
  }
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

absl::StatusOr<v1::PartitionOffset> ParsePartitionOffset(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  v1::PartitionOffset out;
  int32_t partition = 0;
  int64_t offset = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &partition) ||
      !absl::SimpleAtoi(parts[1], &offset) || partition < 0 || offset < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not PARTITION:OFFSET (e.g. 0:42)"));
  }
  out.set_partition(partition);
  out.set_offset(offset);
  return out;
}

void PrintIngress(const v1::IngressStatusResponse& r, const std::string& address,
                  std::ostream& out) {
  out << "ingress (" << address << "), up since " << Time(r.started_at()) << "\n";
  out << std::left << std::setw(14) << "APP" << std::setw(8) << "STORE" << std::setw(22)
      << "LAST RECEIVED" << std::setw(24) << "REQUESTS BY STATUS"
      << "LAST REFUSAL\n";
  for (const v1::IngressAppStatus& a : r.apps()) {
    std::string refusal = "-";
    if (a.last_rejection_status() != 0) {
      refusal = absl::StrCat(a.last_rejection_status(), " at ", Time(a.last_rejected_at()), ": ",
                             a.last_rejection_reason());
    }
    out << std::setw(14) << a.app_id() << std::setw(8) << StoreName(a.store()) << std::setw(22)
        << Time(a.last_received_at()) << std::setw(24) << Counts(a.counts_by_status()) << refusal
        << "\n";
  }
  if (r.apps().empty()) out << "(no requests yet)\n";
}

void PrintNormalizer(const v1::NormalizerStatusResponse& r, const std::string& address,
                     std::ostream& out) {
  out << "normalizer (" << address << "): " << (r.paused() ? "PAUSED" : "running") << ", total lag "
      << r.total_lag() << "\n";
  if (!r.lag_error().empty()) out << "lag unknown: " << r.lag_error() << "\n";
  out << std::left << std::setw(14) << "APP" << std::setw(8) << "STORE" << std::setw(22)
      << "LAST PROCESSED" << std::setw(36) << "EVENTS BY TYPE"
      << "REJECTIONS BY REASON\n";
  for (const v1::NormalizerAppStatus& a : r.apps()) {
    out << std::setw(14) << a.app_id() << std::setw(8) << StoreName(a.store()) << std::setw(22)
        << Time(a.last_processed_at()) << std::setw(36) << Counts(a.events_by_type())
        << Counts(a.rejections_by_reason()) << "\n";
  }
  if (r.apps().empty()) out << "(nothing normalized yet)\n";
  out << std::setw(30) << "PARTITION" << std::setw(12) << "COMMITTED" << std::setw(12) << "END"
      << "LAG\n";
  for (const v1::PartitionLag& p : r.partitions()) {
    out << std::setw(30) << absl::StrCat(p.topic(), "/", p.partition()) << std::setw(12)
        << (p.committed_offset() < 0 ? std::string("-") : absl::StrCat(p.committed_offset()))
        << std::setw(12) << p.high_watermark() << p.lag() << "\n";
  }
}

}  // namespace

int Status(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Setup> setup = Prepare(args, {}, {});
  if (!setup.ok()) return Usage(err, std::string(setup.status().message()));
  if (setup->args.Has("help")) return (out << kOpsUsage, kExitOk);
  int exit = kExitOk;
  std::string ingress_json = "null", normalizer_json = "null";
  for (const std::string service : {"ingress", "normalizer"}) {
    absl::StatusOr<ControlTarget> target = Target(setup->args, setup->config, service);
    if (!target.ok()) return Usage(err, std::string(target.status().message()));
    auto context = target->Context(kQuickCall);
    grpc::Status s;
    if (service == "ingress") {
      v1::IngressStatusResponse response;
      s = v1::IngressControl::NewStub(target->channel)->Status(context.get(), {}, &response);
      if (s.ok() && setup->json) ingress_json = Json(response);
      if (s.ok() && !setup->json) PrintIngress(response, target->address, out);
    } else {
      v1::NormalizerStatusResponse response;
      s = v1::NormalizerControl::NewStub(target->channel)->Status(context.get(), {}, &response);
      if (s.ok() && setup->json) normalizer_json = Json(response);
      if (s.ok() && !setup->json) {
        out << "\n";
        PrintNormalizer(response, target->address, out);
      }
    }
    if (!s.ok()) exit = std::max(exit, target->Fail(s, err));
  }
  if (setup->json) {
    out << R"({"ingress":)" << ingress_json << R"(,"normalizer":)" << normalizer_json << "}\n";
  }
  return exit;
}

int Rejected(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || (args[0] != "list" && args[0] != "resubmit")) {
    return Usage(err, "rejected needs 'list' or 'resubmit'");
  }
  const bool list = args[0] == "list";
  absl::StatusOr<Setup> setup =
      Prepare({args.begin() + 1, args.end()}, {"app", "store", "reason", "limit"}, {"all"});
  if (!setup.ok()) return Usage(err, std::string(setup.status().message()));
  if (setup->args.Has("help")) return (out << kOpsUsage, kExitOk);
  absl::StatusOr<v1::RejectedFilter> filter = ParseFilter(setup->args);
  if (!filter.ok()) return Usage(err, std::string(filter.status().message()));
  absl::StatusOr<ControlTarget> target = Target(setup->args, setup->config, "normalizer");
  if (!target.ok()) return Usage(err, std::string(target.status().message()));
  auto stub = v1::NormalizerControl::NewStub(target->channel);

  if (list) {
    v1::RejectedListRequest request;
    *request.mutable_filter() = *filter;
    int limit = 0;
    if (!setup->args.Get("limit").empty() &&
        (!absl::SimpleAtoi(setup->args.Get("limit"), &limit) || limit < 1)) {
      return Usage(err, "--limit needs a positive number");
    }
    request.set_limit(limit);
    v1::RejectedListResponse response;
    auto context = target->Context(kLongCall);
    if (grpc::Status s = stub->RejectedList(context.get(), request, &response); !s.ok()) {
      return target->Fail(s, err);
    }
    if (setup->json) {
      out << Json(response) << "\n";
      return kExitOk;
    }
    out << std::left << std::setw(10) << "ID" << std::setw(22) << "REJECTED AT" << std::setw(14)
        << "APP" << std::setw(8) << "STORE" << std::setw(24) << "REASON" << std::setw(38)
        << "REQUEST ID"
        << "DETAIL\n";
    for (const v1::RejectedEntry& e : response.entries()) {
      const v1::RejectedNotification& r = e.rejected();
      out << std::setw(10) << e.id() << std::setw(22) << Time(r.rejected_at()) << std::setw(14)
          << r.raw().app_id() << std::setw(8) << StoreName(r.raw().store()) << std::setw(24)
          << stores::RejectReasonName(r.reason()) << std::setw(38) << r.raw().request_id()
          << r.detail() << "\n";
    }
    out << response.entries_size() << " of " << response.total_matching() << " matching\n";
    return kExitOk;
  }

  v1::RejectedResubmitRequest request;
  request.set_all(setup->args.Has("all"));
  for (const std::string& id : setup->args.positional) request.add_ids(id);
  if (request.all() == (request.ids_size() > 0)) {
    return Usage(err, "rejected resubmit takes entry ids (from 'rejected list') or --all");
  }
  *request.mutable_filter() = *filter;
  v1::RejectedResubmitResponse response;
  auto context = target->Context(kLongCall);
  if (grpc::Status s = stub->RejectedResubmit(context.get(), request, &response); !s.ok()) {
    return target->Fail(s, err);
  }
  if (setup->json) {
    out << Json(response) << "\n";
  } else {
    out << "resubmitted " << response.resubmitted() << " records to their raw topics\n";
    for (const std::string& id : response.not_found()) out << "not found: " << id << "\n";
  }
  return response.not_found().empty() ? kExitOk : kExitFailure;
}

int Replay(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Setup> setup =
      Prepare(args, {"store", "from", "to", "from-offset", "to-offset", "app"}, {});
  if (!setup.ok()) return Usage(err, std::string(setup.status().message()));
  if (setup->args.Has("help")) return (out << kOpsUsage, kExitOk);
  const ParsedArgs& a = setup->args;
  v1::ReplayRequest request;
  absl::StatusOr<v1::Store> store = ParseStore(a.Get("store"), true);
  if (!store.ok()) return Usage(err, std::string(store.status().message()));
  request.set_store(*store);
  request.set_app_id(a.Get("app"));
  if (!a.Get("from").empty() && !a.Get("from-offset").empty()) {
    return Usage(err, "replay takes --from or --from-offset, not both");
  }
  if (!a.Get("to").empty() && !a.Get("to-offset").empty()) {
    return Usage(err, "replay takes --to or --to-offset, not both");
  }
  // (mutable_* only for flags given: it marks the field as set.)
  for (const std::string flag : {"from", "to"}) {
    if (a.Get(flag).empty()) continue;
    absl::StatusOr<google::protobuf::Timestamp> when = ParseWhen(a.Get(flag));
    if (!when.ok()) return Usage(err, std::string(when.status().message()));
    *(flag == "from" ? request.mutable_from_time() : request.mutable_to_time()) = *when;
  }
  for (const std::string flag : {"from-offset", "to-offset"}) {
    if (a.Get(flag).empty()) continue;
    absl::StatusOr<v1::PartitionOffset> position = ParsePartitionOffset(a.Get(flag));
    if (!position.ok()) return Usage(err, std::string(position.status().message()));
    *(flag == "from-offset" ? request.add_from_offsets() : request.add_to_offsets()) = *position;
  }
  absl::StatusOr<ControlTarget> target = Target(a, setup->config, "normalizer");
  if (!target.ok()) return Usage(err, std::string(target.status().message()));
  v1::ReplayResponse response;
  auto context = target->Context(kLongCall);
  if (grpc::Status s = v1::NormalizerControl::NewStub(target->channel)
                           ->Replay(context.get(), request, &response);
      !s.ok()) {
    return target->Fail(s, err);
  }
  if (setup->json) {
    out << Json(response) << "\n";
  } else {
    out << "replayed " << response.records_replayed() << " of " << response.records_read()
        << " records read from " << response.topic() << "\n";
  }
  return kExitOk;
}

int PauseOrResume(const std::vector<std::string>& args, bool pause, std::ostream& out,
                  std::ostream& err) {
  absl::StatusOr<Setup> setup = Prepare(args, {}, {});
  if (!setup.ok()) return Usage(err, std::string(setup.status().message()));
  if (setup->args.Has("help")) return (out << kOpsUsage, kExitOk);
  absl::StatusOr<ControlTarget> target = Target(setup->args, setup->config, "normalizer");
  if (!target.ok()) return Usage(err, std::string(target.status().message()));
  auto stub = v1::NormalizerControl::NewStub(target->channel);
  auto context = target->Context(kQuickCall);
  grpc::Status s;
  bool paused = false;
  if (pause) {
    v1::PauseResponse response;
    s = stub->Pause(context.get(), {}, &response);
    paused = response.paused();
  } else {
    v1::ResumeResponse response;
    s = stub->Resume(context.get(), {}, &response);
    paused = response.paused();
  }
  if (!s.ok()) return target->Fail(s, err);
  if (setup->json) {
    out << R"({"paused":)" << (paused ? "true" : "false") << "}\n";
  } else {
    out << "normalizer " << (paused ? "paused" : "running") << "\n";
  }
  return kExitOk;
}

}  // namespace storewire::cli

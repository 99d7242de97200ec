#include "subscribers.h"

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "args.h"
#include "control_client.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "storewire/cli/cli.h"
#include "storewire/core/config.h"
#include "storewire/core/stores.h"
#include "storewire/v1/subscribers.grpc.pb.h"

namespace storewire::cli {
namespace {

constexpr char kUsage[] =
    "usage: storewirectl subscribers <verb> [flags]\n"
    "\n"
    "verbs (storewire-metrics, SubscriberBase gRPC service):\n"
    "  summary       active subscriptions, trials, MRR, billing issues, windows\n"
    "                [--app ID] [--store apple|google|huawei|amazon] [--environment "
    "production|sandbox]\n"
    "  products      the same figures per app, store, environment and product\n"
    "  get KEY       one subscription's state and history [--store S]\n"
    "  refund-abuse  customers with repeated refunds soon after purchase [--app ID]\n"
    "\n"
    "flags: --config FILE, --metrics HOST:PORT (default control.host:metrics.control_port),\n"
    "  --token TOKEN (default $STOREWIRE_CONTROL_TOKEN), --output table|json,\n"
    "  --tls-ca FILE [--tls-cert FILE --tls-key FILE] when the control port speaks TLS\n";

std::string Json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

std::string Money(int64_t micros, const std::string& currency) {
  return absl::StrFormat("%s %.2f", currency, static_cast<double>(micros) / 1e6);
}

std::string Name(const std::string& full, const std::string& prefix) {
  return EnumSuffix(full, prefix);
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

void PrintFigures(const v1::BaseFigures& f, const std::string& currency, std::ostream& out) {
  out << "active subscriptions  " << f.active_subscriptions() << "\n"
      << "active trials         " << f.active_trials() << "\n"
      << "billing issues open   " << f.billing_issues() << "\n"
      << "MRR                   " << Money(f.mrr_reporting_micros(), currency);
  for (const v1::Money& m : f.mrr()) out << "  [" << Money(m.amount_micros(), m.currency()) << "]";
  if (f.mrr_unconverted_currencies_size() > 0) {
    out << "  (no FX rate, not in the total:";
    for (const std::string& c : f.mrr_unconverted_currencies()) out << " " << c;
    out << ")";
  }
  out << "\n\n"
      << std::left << std::setw(8) << "window" << std::right << std::setw(10) << "new paid"
      << std::setw(12) << "new trials" << std::setw(13) << "conversions" << std::setw(9)
      << "churned" << std::setw(9) << "refunds"
      << "  refunded\n";
  for (const v1::WindowCounts& w : f.windows()) {
    out << std::left << std::setw(8) << w.window() << std::right << std::setw(10) << w.new_paid()
        << std::setw(12) << w.new_trials() << std::setw(13) << w.trial_conversions() << std::setw(9)
        << w.churned() << std::setw(9) << w.refunds() << "  "
        << Money(w.refund_amount_reporting_micros(), currency) << "\n";
  }
}

struct Connection {
  ControlTarget target;
  std::string address;
  std::unique_ptr<v1::SubscriberBase::Stub> stub;

  std::unique_ptr<grpc::ClientContext> Context() const { return target.Context(absl::Seconds(10)); }

  int Fail(const grpc::Status& status, std::ostream& err) const {
    switch (status.error_code()) {
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        err << "storewirectl: cannot reach storewire-metrics at " << address
            << ": is it running? (./deploy/local/up) [" << status.error_message() << "]\n";
        return kExitUnreachable;
      case grpc::StatusCode::UNAUTHENTICATED:
        err << "storewirectl: storewire-metrics at " << address
            << " refused the call: " << status.error_message()
            << ". Hint: --token TOKEN or STOREWIRE_CONTROL_TOKEN, one of control.tokens\n";
        return kExitUnauthenticated;
      default:
        err << "storewirectl: storewire-metrics at " << address << " answered "
            << status.error_code() << ": " << status.error_message() << "\n";
        return kExitFailure;
    }
  }
};

absl::StatusOr<Config> LoadConfigForCli(const ParsedArgs& args) {
  std::string path = args.Get("config");
  if (path.empty()) {
    const char* env = std::getenv("STOREWIRE_CONFIG");
    if (env != nullptr && *env != '\0') path = env;
  }
  if (path.empty()) return Config{};  // defaults: localhost:7004
  return LoadServiceConfig(path);
}

absl::StatusOr<v1::Store> ParseStore(const std::string& text) {
  if (text.empty()) return v1::STORE_UNSPECIFIED;
  std::optional<v1::Store> s = StoreFromRouteName(absl::AsciiStrToLower(text));
  if (!s) return absl::InvalidArgumentError("--store must be apple, google, huawei or amazon");
  return *s;
}

absl::StatusOr<v1::Environment> ParseEnvironment(const std::string& text) {
  const std::string e = absl::AsciiStrToLower(text);
  if (e.empty()) return v1::ENVIRONMENT_UNSPECIFIED;
  if (e == "production") return v1::ENVIRONMENT_PRODUCTION;
  if (e == "sandbox") return v1::ENVIRONMENT_SANDBOX;
  return absl::InvalidArgumentError("--environment must be production or sandbox");
}

}  // namespace

int Subscribers(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = args[0];
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs({args.begin() + 1, args.end()},
                {"config", "metrics", "token", "output", "app", "store", "environment", "tls-ca",
                 "tls-cert", "tls-key"},
                {"help"});
  if (!parsed.ok()) {
    err << "storewirectl subscribers: " << parsed.status().message() << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->Has("help")) {
    out << kUsage;
    return kExitOk;
  }
  const std::string output = parsed->Get("output", "table");
  absl::StatusOr<v1::Store> store = ParseStore(parsed->Get("store"));
  absl::StatusOr<v1::Environment> env = ParseEnvironment(parsed->Get("environment"));
  absl::Status usage = (output != "table" && output != "json")
                           ? absl::InvalidArgumentError("--output must be table or json")
                       : !store.ok() ? store.status()
                                     : env.status();
  if (!usage.ok()) {
    err << "storewirectl subscribers: " << usage.message() << "\n";
    return kExitUsage;
  }
  const bool json = output == "json";
  absl::StatusOr<Config> config = LoadConfigForCli(*parsed);
  if (!config.ok()) {
    err << "storewirectl: " << config.status().message() << "\n";
    return kExitUsage;
  }
  Connection c;
  c.address = parsed->Get(
      "metrics", absl::StrCat(config->control.host, ":", config->metrics.ports.control_port));
  absl::StatusOr<ControlTarget> target = TargetAt(*parsed, "metrics service", c.address);
  if (!target.ok()) {
    err << "storewirectl subscribers: " << target.status().message() << "\n";
    return kExitUsage;
  }
  c.target = *std::move(target);
  c.stub = v1::SubscriberBase::NewStub(c.target.channel);

  if (verb == "summary") {
    v1::SummaryRequest req;
    req.set_app_id(parsed->Get("app"));
    req.set_store(*store);
    req.set_environment(*env);
    v1::SummaryResponse resp;
    grpc::Status s = c.stub->Summary(c.Context().get(), req, &resp);
    if (!s.ok()) return c.Fail(s, err);
    if (json) {
      out << Json(resp);
      return kExitOk;
    }
    out << "subscriptions tracked " << resp.subscriptions_tracked() << " (as of "
        << Time(resp.as_of()) << ")\n";
    PrintFigures(resp.totals(), resp.reporting_currency(), out);
    return kExitOk;
  }
  if (verb == "products") {
    v1::ProductBreakdownRequest req;
    req.set_app_id(parsed->Get("app"));
    req.set_store(*store);
    req.set_environment(*env);
    v1::ProductBreakdownResponse resp;
    grpc::Status s = c.stub->ProductBreakdown(c.Context().get(), req, &resp);
    if (!s.ok()) return c.Fail(s, err);
    if (json) {
      out << Json(resp);
      return kExitOk;
    }
    for (const v1::ProductFigures& p : resp.products()) {
      out << "== " << p.app_id() << " / " << StoreRouteName(p.store()) << " / "
          << absl::AsciiStrToLower(Name(v1::Environment_Name(p.environment()), "ENVIRONMENT_"))
          << " / " << p.product_id() << "\n";
      PrintFigures(p.figures(), resp.reporting_currency(), out);
      out << "\n";
    }
    return kExitOk;
  }
  if (verb == "get") {
    if (parsed->positional.size() != 1) {
      err << "storewirectl subscribers get: give one SUBSCRIPTION_KEY\n";
      return kExitUsage;
    }
    v1::GetSubscriptionRequest req;
    req.set_subscription_key(parsed->positional[0]);
    req.set_store(*store);
    v1::GetSubscriptionResponse resp;
    grpc::Status s = c.stub->GetSubscription(c.Context().get(), req, &resp);
    if (!s.ok()) return c.Fail(s, err);
    if (json) {
      out << Json(resp);
      return kExitOk;
    }
    for (const v1::SubscriptionState& st : resp.subscriptions()) {
      out << "subscription  " << StoreRouteName(st.store()) << "/" << st.subscription_key() << "\n"
          << "app           " << st.app_id() << " ("
          << absl::AsciiStrToLower(Name(v1::Environment_Name(st.environment()), "ENVIRONMENT_"))
          << ")\n"
          << "product       " << st.product_id() << " (" << st.billing_period() << ")\n"
          << "status        "
          << Name(v1::SubscriptionStatus_Name(st.status()), "SUBSCRIPTION_STATUS_")
          << (st.auto_renew() ? ", auto-renew on" : ", auto-renew off") << "\n"
          << "price         " << Money(st.price().amount_micros(), st.price().currency()) << "\n"
          << "customer      " << (st.customer_id().empty() ? "-" : st.customer_id()) << "\n"
          << "first seen    " << Time(st.first_seen()) << "\n"
          << "last event    " << Time(st.last_event_at()) << "\n"
          << "expires       " << Time(st.expires_at()) << "\n"
          << "history:\n";
      for (const v1::HistoryEntry& h : st.history()) {
        out << "  " << Time(h.occurred_at()) << "  " << std::left << std::setw(26)
            << Name(v1::EventType_Name(h.type()), "EVENT_TYPE_") << std::right << " -> "
            << Name(v1::SubscriptionStatus_Name(h.status_after()), "SUBSCRIPTION_STATUS_")
            << (h.stale() ? "  (older than the state: not applied)" : "") << "  " << h.event_id()
            << "\n";
      }
    }
    return kExitOk;
  }
  if (verb == "refund-abuse") {
    v1::RefundAbuseRequest req;
    req.set_app_id(parsed->Get("app"));
    v1::RefundAbuseResponse resp;
    grpc::Status s = c.stub->RefundAbuse(c.Context().get(), req, &resp);
    if (!s.ok()) return c.Fail(s, err);
    if (json) {
      out << Json(resp);
      return kExitOk;
    }
    out << "customers with at least " << resp.min_refunds() << " refund(s) within "
        << absl::FormatDuration(absl::Seconds(resp.window().seconds()))
        << " of purchase: " << resp.customers_size() << "\n";
    for (const v1::RefundAbuser& a : resp.customers()) {
      out << "  " << a.app_id() << "  " << a.customer_id() << "  " << a.quick_refunds()
          << " quick refund(s):";
      for (const std::string& k : a.subscription_keys()) out << " " << k;
      out << "\n";
    }
    return kExitOk;
  }
  err << "storewirectl subscribers: unknown verb '" << verb << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace storewire::cli

#include "storewire/core/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace storewire {
namespace {

// Reads typed values from a YAML node and remembers the first error with the
// key path, so that parsing code reads as a list of assignments.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  template <typename T>
  void Get(const YAML::Node& node, const std::string& path, T& out) {
    if (!node || node.IsNull() || !status_.ok()) return;
    try {
      out = node.as<T>();
    } catch (const YAML::Exception& e) {
      Fail(path, absl::StrCat("expected ", Expected<T>(), ", got '", Dump(node), "'"));
    }
  }

  void GetDuration(const YAML::Node& node, const std::string& path, absl::Duration& out) {
    if (!node || node.IsNull() || !status_.ok()) return;
    std::string text;
    Get(node, path, text);
    if (!status_.ok()) return;
    absl::StatusOr<absl::Duration> d = ParseDurationText(text);
    if (!d.ok()) return Fail(path, std::string(d.status().message()));
    out = *d;
  }

  void GetStrings(const YAML::Node& node, const std::string& path, std::vector<std::string>& out) {
    if (!node || node.IsNull() || !status_.ok()) return;
    if (!node.IsSequence()) return Fail(path, "expected a list");
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      std::string item;
      Get(node[i], absl::StrCat(path, "[", i, "]"), item);
      out.push_back(item);
    }
  }

  void Fail(const std::string& path, const std::string& what) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat(source_, ": ", path, ": ", what));
    }
  }

  const absl::Status& status() const { return status_; }

 private:
  template <typename T>
  static const char* Expected() {
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    if constexpr (std::is_integral_v<T>) return "an integer";
    return "a string";
  }
  static std::string Dump(const YAML::Node& node) {
    std::stringstream s;
    s << node;
    return s.str();
  }

  std::string source_;
  absl::Status status_;
};

void ReadPorts(Reader& r, const YAML::Node& n, const std::string& path, ServicePorts& p) {
  if (!n) return;
  r.Get(n["bind_address"], path + ".bind_address", p.bind_address);
  r.Get(n["http_port"], path + ".http_port", p.http_port);
  r.Get(n["admin_port"], path + ".admin_port", p.admin_port);
  r.Get(n["control_port"], path + ".control_port", p.control_port);
}

void ReadForward(Reader& r, const YAML::Node& store_node, const std::string& store,
                 const std::string& app_path, AppConfig& app) {
  const YAML::Node n = store_node["forward"];
  if (!n || n.IsNull()) return;
  const std::string path = absl::StrCat(app_path, ".", store, ".forward");
  if (!n.IsMap()) return r.Fail(path, "expected a map with url (and optional headers)");
  ForwardConfig& f = app.forwards[store];
  r.Get(n["url"], path + ".url", f.url);
  r.Get(n["max_in_flight"], path + ".max_in_flight", f.max_in_flight);
  if (!absl::StartsWith(f.url, "https://") && !absl::StartsWith(f.url, "http://")) {
    r.Fail(path + ".url", absl::StrCat("expected an http:// or https:// URL, got '", f.url, "'"));
  }
  if (f.max_in_flight < 0) r.Fail(path + ".max_in_flight", "must be >= 0");
  if (const YAML::Node h = n["headers"]) {
    if (!h.IsMap()) return r.Fail(path + ".headers", "expected a map of header: value");
    for (const auto& kv : h) {
      const std::string name = kv.first.as<std::string>();
      std::string value;
      r.Get(kv.second, absl::StrCat(path, ".headers.", name), value);
      f.headers[name] = value;
    }
  }
}

void ReadApp(Reader& r, const YAML::Node& n, const std::string& path, AppConfig& app) {
  r.Get(n["id"], path + ".id", app.id);
  if (app.id.empty()) r.Fail(path + ".id", "every app needs an id");
  for (const char* store : {"apple", "google", "huawei", "amazon"}) {
    if (const YAML::Node s = n[store]; s && s.IsMap()) ReadForward(r, s, store, path, app);
  }
  if (const YAML::Node a = n["apple"]) {
    AppleAppConfig& c = app.apple.emplace();
    r.Get(a["bundle_id"], path + ".apple.bundle_id", c.bundle_id);
    r.Get(a["app_apple_id"], path + ".apple.app_apple_id", c.app_apple_id);
    r.GetStrings(a["environments"], path + ".apple.environments", c.environments);
    for (const std::string& env : c.environments) {
      if (env != "Production" && env != "Sandbox") {
        r.Fail(path + ".apple.environments",
               "each entry must be Production or Sandbox, got '" + env + "'");
      }
    }
    r.GetStrings(a["trust_roots"], path + ".apple.trust_roots", c.trust_roots);
    r.Get(a["online_checks"], path + ".apple.online_checks", c.online_checks);
    r.Get(a["shared_secret"], path + ".apple.shared_secret", c.shared_secret);
    r.Get(a["api_base_url"], path + ".apple.api_base_url", c.api_base_url);
    r.Get(a["api_key_id"], path + ".apple.api_key_id", c.api_key_id);
    r.Get(a["api_issuer_id"], path + ".apple.api_issuer_id", c.api_issuer_id);
    r.Get(a["api_key_file"], path + ".apple.api_key_file", c.api_key_file);
  }
  if (const YAML::Node g = n["google"]) {
    GoogleAppConfig& c = app.google.emplace();
    r.Get(g["package_name"], path + ".google.package_name", c.package_name);
    r.Get(g["push_audience"], path + ".google.push_audience", c.push_audience);
    r.Get(g["push_service_account"], path + ".google.push_service_account", c.push_service_account);
    r.Get(g["verify_push_token"], path + ".google.verify_push_token", c.verify_push_token);
    r.Get(g["service_account_key_file"], path + ".google.service_account_key_file",
          c.service_account_key_file);
    r.Get(g["play_api_base_url"], path + ".google.play_api_base_url", c.play_api_base_url);
    r.Get(g["oauth_token_url"], path + ".google.oauth_token_url", c.oauth_token_url);
    r.Get(g["jwks_url"], path + ".google.jwks_url", c.jwks_url);
    r.Get(g["acknowledge_purchases"], path + ".google.acknowledge_purchases",
          c.acknowledge_purchases);
  }
  if (const YAML::Node h = n["huawei"]) {
    HuaweiAppConfig& c = app.huawei.emplace();
    r.Get(h["public_key"], path + ".huawei.public_key", c.public_key);
    r.Get(h["application_id"], path + ".huawei.application_id", c.application_id);
  }
  if (const YAML::Node a = n["amazon"]) {
    AmazonAppConfig& c = app.amazon.emplace();
    r.GetStrings(a["topic_arns"], path + ".amazon.topic_arns", c.topic_arns);
    r.Get(a["signing_cert_url_pattern"], path + ".amazon.signing_cert_url_pattern",
          c.signing_cert_url_pattern);
    r.Get(a["subscribe_url_pattern"], path + ".amazon.subscribe_url_pattern",
          c.subscribe_url_pattern);
    r.Get(a["package_name"], path + ".amazon.package_name", c.package_name);
    r.Get(a["shared_secret"], path + ".amazon.shared_secret", c.shared_secret);
    r.Get(a["rvs_base_url"], path + ".amazon.rvs_base_url", c.rvs_base_url);
  }
}

void ReadMetrics(Reader& r, const YAML::Node& n, MetricsConfig& m) {
  ReadPorts(r, n, "metrics", m.ports);
  r.Get(n["group_id"], "metrics.group_id", m.group_id);
  r.Get(n["transactional_id_prefix"], "metrics.transactional_id_prefix", m.transactional_id_prefix);
  r.Get(n["max_batch_records"], "metrics.max_batch_records", m.max_batch_records);
  r.GetDuration(n["max_batch_wait"], "metrics.max_batch_wait", m.max_batch_wait);
  r.Get(n["reporting_currency"], "metrics.reporting_currency", m.reporting_currency);
  if (const YAML::Node fx = n["fx"]) {
    if (!fx.IsMap()) return r.Fail("metrics.fx", "expected a map of currency: rate");
    for (const auto& kv : fx) {
      const std::string currency = kv.first.as<std::string>();
      double rate = 0;
      r.Get(kv.second, "metrics.fx." + currency, rate);
      if (r.status().ok() && rate <= 0) r.Fail("metrics.fx." + currency, "rate must be > 0");
      m.fx[currency] = rate;
    }
  }
  if (const YAML::Node products = n["products"]) {
    if (!products.IsSequence()) return r.Fail("metrics.products", "expected a list");
    for (size_t i = 0; i < products.size(); ++i) {
      MetricsProductConfig p;
      const std::string path = absl::StrCat("metrics.products[", i, "]");
      r.Get(products[i]["id"], path + ".id", p.id);
      r.Get(products[i]["billing_period"], path + ".billing_period", p.billing_period);
      if (p.id.empty()) r.Fail(path + ".id", "every product needs an id");
      m.products.push_back(std::move(p));
    }
  }
  if (const YAML::Node w = n["windows"]) {
    std::vector<std::string> texts;
    r.GetStrings(w, "metrics.windows", texts);
    m.windows.clear();
    for (size_t i = 0; i < texts.size() && r.status().ok(); ++i) {
      absl::StatusOr<absl::Duration> d = ParseDurationText(texts[i]);
      if (!d.ok() || *d <= absl::ZeroDuration()) {
        r.Fail(absl::StrCat("metrics.windows[", i, "]"), "expected a positive duration");
      } else {
        m.windows.push_back(*d);
      }
    }
  }
  if (const YAML::Node a = n["refund_abuse"]) {
    r.GetDuration(a["window"], "metrics.refund_abuse.window", m.refund_abuse_window);
    r.Get(a["count"], "metrics.refund_abuse.count", m.refund_abuse_count);
    if (m.refund_abuse_count < 1) r.Fail("metrics.refund_abuse.count", "must be >= 1");
  }
  r.Get(n["history_size"], "metrics.history_size", m.history_size);
  if (m.history_size < 1) r.Fail("metrics.history_size", "must be >= 1");
}

}  // namespace

const AppConfig* Config::FindApp(absl::string_view id) const {
  for (const AppConfig& app : apps) {
    if (app.id == id) return &app;
  }
  return nullptr;
}

absl::StatusOr<absl::Duration> ParseDurationText(absl::string_view text) {
  struct Unit {
    absl::string_view suffix;
    absl::Duration unit;
  };
  static constexpr Unit kUnits[] = {{"ms", absl::Milliseconds(1)},
                                    {"s", absl::Seconds(1)},
                                    {"m", absl::Minutes(1)},
                                    {"h", absl::Hours(1)},
                                    {"d", absl::Hours(24)}};
  for (const Unit& u : kUnits) {
    if (text.size() > u.suffix.size() && absl::EndsWith(text, u.suffix)) {
      double n = 0;
      if (absl::SimpleAtod(text.substr(0, text.size() - u.suffix.size()), &n) && n >= 0) {
        return n * u.unit;
      }
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not a duration; write e.g. 250ms, 5s, 5m, 2h or 1d"));
}

absl::StatusOr<Config> ParseConfig(absl::string_view yaml, absl::string_view source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": not valid YAML: ", e.what()));
  }
  Config config;
  config.source_path = std::string(source_name);
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": the top level must be a map"));
  }
  Reader r{std::string(source_name)};
  if (const YAML::Node k = root["kafka"]) {
    r.Get(k["brokers"], "kafka.brokers", config.kafka.brokers);
    r.Get(k["topic_prefix"], "kafka.topic_prefix", config.kafka.topic_prefix);
    r.Get(k["partitions"], "kafka.partitions", config.kafka.partitions);
    r.Get(k["replication_factor"], "kafka.replication_factor", config.kafka.replication_factor);
    if (const YAML::Node props = k["properties"]) {
      if (!props.IsMap()) r.Fail("kafka.properties", "expected a map of librdkafka properties");
      for (const auto& kv : props) {
        config.kafka.properties[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  }
  if (const YAML::Node apps = root["apps"]) {
    if (!apps.IsSequence()) r.Fail("apps", "expected a list of apps");
    for (size_t i = 0; r.status().ok() && i < apps.size(); ++i) {
      AppConfig app;
      ReadApp(r, apps[i], absl::StrCat("apps[", i, "]"), app);
      if (config.FindApp(app.id) != nullptr) {
        r.Fail(absl::StrCat("apps[", i, "].id"), "duplicate app id '" + app.id + "'");
      }
      config.apps.push_back(std::move(app));
    }
  }
  if (const YAML::Node n = root["ingress"]) {
    ReadPorts(r, n, "ingress", config.ingress.ports);
    r.Get(n["max_body_bytes"], "ingress.max_body_bytes", config.ingress.max_body_bytes);
    r.GetDuration(n["produce_timeout"], "ingress.produce_timeout", config.ingress.produce_timeout);
    r.GetDuration(n["request_timeout"], "ingress.request_timeout", config.ingress.request_timeout);
    r.GetDuration(n["idle_timeout"], "ingress.idle_timeout", config.ingress.idle_timeout);
    r.Get(n["max_connections"], "ingress.max_connections", config.ingress.max_connections);
    r.Get(n["threads"], "ingress.threads", config.ingress.threads);
  }
  if (const YAML::Node n = root["normalizer"]) {
    ReadPorts(r, n, "normalizer", config.normalizer.ports);
    r.Get(n["group_id"], "normalizer.group_id", config.normalizer.group_id);
    r.Get(n["transactional_id_prefix"], "normalizer.transactional_id_prefix",
          config.normalizer.transactional_id_prefix);
    r.Get(n["max_batch_records"], "normalizer.max_batch_records",
          config.normalizer.max_batch_records);
    r.GetDuration(n["max_batch_wait"], "normalizer.max_batch_wait",
                  config.normalizer.max_batch_wait);
  }
  if (const YAML::Node n = root["webhooks"]) {
    if (const YAML::Node s = n["retry_schedule"]) {
      std::vector<std::string> steps;
      r.GetStrings(s, "webhooks.retry_schedule", steps);
      config.webhooks.retry_schedule.clear();
      for (size_t i = 0; i < steps.size() && r.status().ok(); ++i) {
        absl::StatusOr<absl::Duration> d = ParseDurationText(steps[i]);
        if (!d.ok()) {
          r.Fail(absl::StrCat("webhooks.retry_schedule[", i, "]"),
                 std::string(d.status().message()));
        } else {
          config.webhooks.retry_schedule.push_back(*d);
        }
      }
    }
    r.Get(n["allow_private_targets"], "webhooks.allow_private_targets",
          config.webhooks.allow_private_targets);
    WebhooksConfig& w = config.webhooks;
    ReadPorts(r, n, "webhooks", w.ports);
    r.Get(n["group_id"], "webhooks.group_id", w.group_id);
    r.GetDuration(n["connect_timeout"], "webhooks.connect_timeout", w.connect_timeout);
    r.GetDuration(n["total_timeout"], "webhooks.total_timeout", w.total_timeout);
    r.Get(n["max_in_flight_per_endpoint"], "webhooks.max_in_flight_per_endpoint",
          w.max_in_flight_per_endpoint);
    r.Get(n["max_queued_per_endpoint"], "webhooks.max_queued_per_endpoint",
          w.max_queued_per_endpoint);
    r.GetDuration(n["disable_after"], "webhooks.disable_after", w.disable_after);
    r.Get(n["retry_jitter"], "webhooks.retry_jitter", w.retry_jitter);
    r.GetDuration(n["min_retry_after"], "webhooks.min_retry_after", w.min_retry_after);
    r.GetDuration(n["max_retry_after"], "webhooks.max_retry_after", w.max_retry_after);
    r.Get(n["circuit_failure_threshold"], "webhooks.circuit_failure_threshold",
          w.circuit_failure_threshold);
    r.GetDuration(n["circuit_open_duration"], "webhooks.circuit_open_duration",
                  w.circuit_open_duration);
    r.GetDuration(n["secret_rotation_overlap"], "webhooks.secret_rotation_overlap",
                  w.secret_rotation_overlap);
    r.Get(n["max_response_bytes"], "webhooks.max_response_bytes", w.max_response_bytes);
    r.Get(n["forward_start"], "webhooks.forward_start", w.forward_start);
    if (w.forward_start != "latest" && w.forward_start != "earliest") {
      r.Fail("webhooks.forward_start", "must be latest or earliest");
    }
    if (w.retry_jitter < 0 || w.retry_jitter >= 1) {
      r.Fail("webhooks.retry_jitter", "must be in [0, 1), e.g. 0.2 for +/-20%");
    }
    if (w.max_in_flight_per_endpoint < 1) {
      r.Fail("webhooks.max_in_flight_per_endpoint", "must be >= 1");
    }
  }
  if (const YAML::Node n = root["metrics"]) ReadMetrics(r, n, config.metrics);
  if (const YAML::Node n = root["control"]) {
    ControlConfig& c = config.control;
    r.Get(n["host"], "control.host", c.host);
    r.GetStrings(n["tokens"], "control.tokens", c.tokens);
    r.GetStrings(n["token_files"], "control.token_files", c.token_files);
    r.Get(n["tls_cert_file"], "control.tls_cert_file", c.tls_cert_file);
    r.Get(n["tls_key_file"], "control.tls_key_file", c.tls_key_file);
    r.Get(n["tls_client_ca_file"], "control.tls_client_ca_file", c.tls_client_ca_file);
    if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
      r.Fail("control.tls_cert_file", "tls_cert_file and tls_key_file go together");
    }
    if (!c.tls_client_ca_file.empty() && c.tls_cert_file.empty()) {
      r.Fail("control.tls_client_ca_file", "mutual TLS needs tls_cert_file and tls_key_file too");
    }
  }
  if (const YAML::Node n = root["log"]) r.Get(n["level"], "log.level", config.log_level);
  if (!r.status().ok()) return r.status();
  if (config.kafka.partitions < 1) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": kafka.partitions must be >= 1"));
  }
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        "cannot read config file '", path,
        "'. Hint: pass --config FILE or set STOREWIRE_CONFIG (see README, Configuration)"));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Config> config = ParseConfig(text.str(), path);
  if (!config.ok()) return config;
  // Files named in the config are relative to the config file's folder.
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  auto resolve = [&dir](std::string& file) {
    if (!file.empty() && std::filesystem::path(file).is_relative()) file = (dir / file).string();
  };
  for (std::string* file : {&config->control.tls_cert_file, &config->control.tls_key_file,
                            &config->control.tls_client_ca_file}) {
    resolve(*file);
  }
  for (std::string& file : config->control.token_files) resolve(file);
  for (AppConfig& app : config->apps) {
    if (app.apple) {
      for (std::string& root : app.apple->trust_roots) resolve(root);
    }
    if (app.google) resolve(app.google->service_account_key_file);
    if (app.apple) resolve(app.apple->api_key_file);
  }
  return config;
}

absl::StatusOr<Config> LoadServiceConfig(const std::string& flag_path) {
  std::string path = flag_path;
  if (path.empty()) {
    const char* env = std::getenv("STOREWIRE_CONFIG");
    path = (env != nullptr && *env != '\0') ? env : "storewire.yaml";
  }
  absl::StatusOr<Config> config = LoadConfigFile(path);
  if (!config.ok()) return config;
  if (const char* brokers = std::getenv("STOREWIRE_KAFKA_BROKERS"); brokers && *brokers) {
    config->kafka.brokers = brokers;
  }
  return config;
}

}  // namespace storewire

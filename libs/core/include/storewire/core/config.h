// Configuration of every storewire service, loaded from one YAML file.
//
// The keys of CONTRACT.md section 5 keep their meaning; the others have
// defaults so that a minimal file (kafka + apps) is enough:
//
//   absl::StatusOr<Config> config = LoadConfigFile("storewire.yaml");
//   if (!config.ok()) { /* message names the key and the file */ }
//   const AppConfig* app = config->FindApp("demo");
//
// Errors: kNotFound when the file is missing, kInvalidArgument with the key
// path ("apps[0].apple.app_apple_id: not an integer") for a bad value.
// Thread safety: a Config is an immutable value once loaded.
#ifndef STOREWIRE_CORE_CONFIG_H_
#define STOREWIRE_CORE_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire {

struct KafkaConfig {
  // "embedded" (the local runner's broker) or "host:port,host:port".
  std::string brokers = "embedded";
  std::string topic_prefix = "storewire";
  int partitions = 6;
  int replication_factor = 1;
  // Extra librdkafka properties applied to every client (e.g. security.protocol).
  std::map<std::string, std::string> properties;
};

struct AppleAppConfig {
  std::string bundle_id;
  int64_t app_apple_id = 0;
  // "Production" and/or "Sandbox" (Apple's spelling).
  std::vector<std::string> environments = {"Production", "Sandbox"};
  // PEM or DER files; empty = Apple Root CA - G3, built in.
  std::vector<std::string> trust_roots;
  bool online_checks = false;
  // V1 notifications: the app-specific shared secret ("password").
  std::string shared_secret;
  // App Store Server API (storewirectl apple test-notification): base URL
  // (production; https://api.storekit-sandbox.itunes.apple.com for sandbox),
  // the In-App Purchase key's id, the issuer id and the .p8 key file.
  std::string api_base_url = "https://api.storekit.itunes.apple.com";
  std::string api_key_id;
  std::string api_issuer_id;
  std::string api_key_file;
};

struct GoogleAppConfig {
  std::string package_name;
  std::string push_audience;
  std::string push_service_account;
  bool verify_push_token = true;
  std::string service_account_key_file;
  std::string play_api_base_url = "https://androidpublisher.googleapis.com";
  std::string oauth_token_url = "https://oauth2.googleapis.com/token";
  std::string jwks_url = "https://www.googleapis.com/oauth2/v3/certs";
  // Acknowledge unacknowledged subscription purchases after normalizing them
  // (Google refunds purchases left unacknowledged for 3 days).
  bool acknowledge_purchases = false;
};

struct HuaweiAppConfig {
  std::string public_key;  // base64 SubjectPublicKeyInfo
  // When set, a notification's applicationId must equal it (APP_MISMATCH).
  std::string application_id;
};

struct AmazonAppConfig {
  std::vector<std::string> topic_arns;
  std::string signing_cert_url_pattern =
      R"(^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/.+\.pem$)";
  // SubscriptionConfirmation: SubscribeURL must match before it is fetched.
  std::string subscribe_url_pattern =
      R"(^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/\?Action=ConfirmSubscription&.+$)";
  // When set, the RTN appPackageName must equal it (APP_MISMATCH).
  std::string package_name;
  // Receipt Verification Service: the developer shared secret (empty = no
  // RVS lookups; events carry what the notification says) and the base URL.
  std::string shared_secret;
  std::string rvs_base_url = "https://appstore-sdk.amazon.com";
};

// Raw forwarding (storewire-webhooks): every notification of one app and
// store, as the store sent it (body and recorded headers), is POSTed to `url`
// with the webhooks' retries and dead letters. Key `forward:` in a store's
// section of an app.
struct ForwardConfig {
  std::string url;
  // Added to every forwarded request (e.g. a token the receiver checks).
  std::map<std::string, std::string> headers;
  // 0 = webhooks.max_in_flight_per_endpoint.
  int max_in_flight = 0;
};

struct AppConfig {
  std::string id;
  // By store route name ("apple", "google", "huawei", "amazon").
  std::map<std::string, ForwardConfig> forwards;
  std::optional<AppleAppConfig> apple;
  std::optional<GoogleAppConfig> google;
  std::optional<HuaweiAppConfig> huawei;
  std::optional<AmazonAppConfig> amazon;
};

// Ports and limits of one service. 0 for a port means "pick a free one"
// (tests); the chosen port is logged.
struct ServicePorts {
  std::string bind_address = "0.0.0.0";
  int http_port = 0;  // store-facing HTTP (ingress only)
  int admin_port = 0;
  int control_port = 0;
};

struct IngressConfig {
  ServicePorts ports{"0.0.0.0", 8080, 9101, 7001};
  int64_t max_body_bytes = 256 * 1024;
  // Bound on waiting for the broker's acknowledgement before answering 503.
  absl::Duration produce_timeout = absl::Seconds(5);
  // A request (headers + body) must arrive within this time.
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration idle_timeout = absl::Seconds(60);
  int max_connections = 10000;
  int threads = 2;
};

struct NormalizerConfig {
  ServicePorts ports{"0.0.0.0", 0, 9102, 7002};
  std::string group_id = "storewire-normalizer";
  // Prefix of the transactional.id; the process adds its own suffix.
  std::string transactional_id_prefix = "storewire-normalizer";
  int max_batch_records = 500;
  absl::Duration max_batch_wait = absl::Milliseconds(100);
};

struct WebhooksConfig {
  std::vector<absl::Duration> retry_schedule = {
      absl::Seconds(5), absl::Minutes(5), absl::Minutes(30), absl::Hours(2),
      absl::Hours(5),   absl::Hours(10),  absl::Hours(10)};
  bool allow_private_targets = false;
  // storewire-webhooks (issue 5): ports, consumer group, HTTP limits.
  ServicePorts ports{"0.0.0.0", 0, 9103, 7003};
  std::string group_id = "storewire-webhooks";
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration total_timeout = absl::Seconds(15);
  // Deliveries in flight to one endpoint at a time (more wait, then overflow
  // to the first retry topic).
  int max_in_flight_per_endpoint = 16;
  // Deliveries waiting in memory per endpoint before overflowing.
  int max_queued_per_endpoint = 1000;
  // An endpoint failing every attempt for this long is disabled.
  absl::Duration disable_after = absl::Hours(24 * 5);
  // +/- this fraction of each retry delay, at random.
  double retry_jitter = 0.2;
  // Retry-After is honoured between these bounds.
  absl::Duration min_retry_after = absl::Seconds(1);
  absl::Duration max_retry_after = absl::Hours(1);
  // Consecutive failures that open an endpoint's circuit, and for how long.
  int circuit_failure_threshold = 10;
  absl::Duration circuit_open_duration = absl::Seconds(30);
  // How long a rotated-out secret keeps signing.
  absl::Duration secret_rotation_overlap = absl::Hours(24);
  int64_t max_response_bytes = 64 * 1024;
  // Raw forwarding reads the raw topics in its own consumer group
  // (<group_id>.forward). Where it starts the first time, before it has
  // committed offsets: "latest" (only notifications received from then on)
  // or "earliest" (everything the raw topics still hold).
  std::string forward_start = "latest";
};

// The subscriber base (storewire-metrics, issue 6).
struct MetricsProductConfig {
  std::string id;
  // ISO 8601 duration (P1W, P1M, P3M, P1Y, ...), used when the store does not
  // say the billing period.
  std::string billing_period;
};

struct MetricsConfig {
  ServicePorts ports{"0.0.0.0", 0, 9104, 7004};
  std::string group_id = "storewire-metrics";
  std::string transactional_id_prefix = "storewire-metrics";
  int max_batch_records = 1000;
  absl::Duration max_batch_wait = absl::Milliseconds(100);
  // MRR is shown per currency and converted into this one.
  std::string reporting_currency = "USD";
  // Units of the reporting currency for one unit of the key currency
  // ({EUR: 1.08} with USD reporting). The reporting currency is 1.
  std::map<std::string, double> fx;
  std::vector<MetricsProductConfig> products;
  // Sliding windows for new paid / new trials / conversions / churn / refunds.
  std::vector<absl::Duration> windows = {absl::Hours(1), absl::Hours(24), absl::Hours(24 * 7),
                                         absl::Hours(24 * 30)};
  // A refund within `refund_abuse_window` of the purchase is a quick refund; a
  // customer with at least `refund_abuse_count` of them is listed.
  absl::Duration refund_abuse_window = absl::Hours(48);
  int refund_abuse_count = 2;
  // Events kept per subscription for history and deduplication.
  int history_size = 32;
};

// Control APIs (gRPC) of every service, and where storewirectl finds them.
struct ControlConfig {
  // Host storewirectl connects to (each service's control_port).
  std::string host = "localhost";
  // Bearer tokens accepted by the control APIs (and files holding one token
  // each). None configured and no TLS: the control APIs are open (a warning
  // is logged at start).
  std::vector<std::string> tokens;
  std::vector<std::string> token_files;
  // TLS for the control port: server certificate and key (PEM); with a client
  // CA, clients must present a certificate it signed (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
};

struct Config {
  std::string source_path;
  KafkaConfig kafka;
  std::vector<AppConfig> apps;
  IngressConfig ingress;
  NormalizerConfig normalizer;
  WebhooksConfig webhooks;
  MetricsConfig metrics;
  ControlConfig control;
  std::string log_level = "info";

  // Returns nullptr when no app has this id.
  const AppConfig* FindApp(absl::string_view id) const;
};

absl::StatusOr<Config> ParseConfig(absl::string_view yaml, absl::string_view source_name);
// Relative file paths in the config (trust_roots, key files) are resolved
// against the config file's folder.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// --config FILE, else $STOREWIRE_CONFIG, else ./storewire.yaml. Then applies
// environment overrides: STOREWIRE_KAFKA_BROKERS replaces kafka.brokers.
absl::StatusOr<Config> LoadServiceConfig(const std::string& flag_path);

// Parses "5s", "250ms", "5m", "2h", "1d".
absl::StatusOr<absl::Duration> ParseDurationText(absl::string_view text);

}  // namespace storewire

#endif  // STOREWIRE_CORE_CONFIG_H_

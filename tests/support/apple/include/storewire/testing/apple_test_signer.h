// Test-only: a throw-away PKI shaped like Apple's (root -> intermediate with
// OID 1.2.840.113635.100.6.2.1 -> P-256 leaf with 1.2.840.113635.100.6.11.1),
// generated in memory, and a signer for App Store Server Notifications V2 with
// nested signedTransactionInfo / signedRenewalInfo.
//
//   auto signer = AppleTestSigner::Create();
//   std::string root = signer->WriteRootPem(::testing::TempDir());  // -> trust_roots
//   NotificationParams p;  p.type = "DID_RENEW";  p.subtype = "";
//   std::string body = signer->NotificationBody(p);  // {"signedPayload":"..."}
//
// Knobs make every rejection reachable: missing OIDs, expired chain, wrong
// key, DER signature, other algs, 2 or 4 certificates.
// Thread safety: const methods are safe to call concurrently.
#ifndef STOREWIRE_TESTING_APPLE_TEST_SIGNER_H_
#define STOREWIRE_TESTING_APPLE_TEST_SIGNER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::testing {

struct TestChainOptions {
  bool leaf_oid = true;
  bool intermediate_oid = true;
  // Validity of all three certificates.
  absl::Time not_before = absl::FromUnixSeconds(1672531200);  // 2023-01-01
  absl::Time not_after = absl::FromUnixSeconds(2082758400);   // 2036-01-01
  // Root key curve: "P-384" (like Apple Root CA - G3) or "P-256".
  std::string root_curve = "P-384";
  // When set, an AIA extension naming this OCSP responder on the leaf
  // (answered for the intermediate CA) / on the intermediate (for the root).
  std::string leaf_ocsp_url;
  std::string intermediate_ocsp_url;
};

struct JwsOptions {
  std::string alg = "ES256";
  int x5c_count = 3;  // 2: [leaf, intermediate]; 4: root repeated
  bool omit_x5c = false;
  bool der_signature = false;  // ASN.1 DER ECDSA instead of raw r||s
  bool wrong_key = false;      // sign with a key unrelated to the leaf
};

struct TransactionParams {
  std::string transaction_id = "2000000000000001";
  std::string original_transaction_id = "2000000000000000";
  std::string web_order_line_item_id = "2000000000000002";
  std::string bundle_id = "com.example";
  std::string product_id = "com.example.monthly";
  std::string environment = "Sandbox";
  std::string type = "Auto-Renewable Subscription";
  std::string app_account_token = "7e3fb20b-4cdb-47cc-936d-99d65f608138";
  std::string in_app_ownership_type = "PURCHASED";
  std::string transaction_reason = "PURCHASE";
  std::string storefront = "USA";
  std::string currency = "USD";
  std::string offer_identifier;
  std::string offer_discount_type;
  int64_t purchase_date_ms = 1761962900000;
  std::optional<int64_t> expires_date_ms = 1764554900000;
  std::optional<int64_t> price = 9990;  // milliunits
  std::optional<int64_t> offer_type;
  std::optional<int64_t> revocation_date_ms;
  std::optional<int64_t> revocation_reason;
  std::optional<int64_t> signed_date_ms = 1761962975000;
};

struct RenewalParams {
  std::string original_transaction_id = "2000000000000000";
  std::string product_id = "com.example.monthly";
  std::string auto_renew_product_id = "com.example.monthly";
  std::string environment = "Sandbox";
  std::optional<int64_t> auto_renew_status = 1;
  std::optional<int64_t> expiration_intent;
  std::optional<int64_t> grace_period_expires_date_ms;
  std::optional<int64_t> signed_date_ms = 1761962975000;
};

struct NotificationParams {
  std::string type = "SUBSCRIBED";
  std::string subtype = "INITIAL_BUY";
  std::string uuid = "3f1a2b3c-4d5e-4f60-8a71-9b8c7d6e5f40";
  std::string environment = "Sandbox";
  std::string bundle_id = "com.example";
  std::optional<int64_t> app_apple_id = 1234;
  std::optional<int64_t> signed_date_ms = 1761962975000;
  // "data" (with the nested JWS below), or "none" for no data object.
  std::string shape = "data";
  std::optional<TransactionParams> transaction = TransactionParams{};
  std::optional<RenewalParams> renewal = RenewalParams{};
};

class AppleTestSigner {
 public:
  static std::unique_ptr<AppleTestSigner> Create(const TestChainOptions& options = {});
  ~AppleTestSigner();

  std::string RootPem() const;
  std::string RootDer() const;
  // Writes the root as PEM into `dir` under a unique name; returns the path.
  std::string WriteRootPem(const std::string& dir) const;
  // Writes root.pem, root.key, intermediate.pem, intermediate.key and
  // leaf.pem (PEM; keys unencrypted PKCS#8) into `dir`, e.g. for an
  // `openssl ocsp` responder. Serials: root 01, intermediate 02, leaf 03.
  void WriteCaFiles(const std::string& dir) const;

  // A compact JWS over `payload_json` with this chain in x5c.
  std::string Sign(absl::string_view payload_json, const JwsOptions& options = {}) const;

  static std::string TransactionJson(const TransactionParams& p);
  static std::string RenewalJson(const RenewalParams& p);
  // The notification payload JSON; nested JWS are signed with `nested`.
  std::string NotificationJson(const NotificationParams& p, const JwsOptions& nested = {}) const;
  // The signedPayload JWS.
  std::string SignNotification(const NotificationParams& p, const JwsOptions& outer = {},
                               const JwsOptions& nested = {}) const;
  // {"signedPayload":"<JWS>"}: what Apple POSTs.
  std::string NotificationBody(const NotificationParams& p, const JwsOptions& outer = {},
                               const JwsOptions& nested = {}) const;

  struct Impl;

 private:
  explicit AppleTestSigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTING_APPLE_TEST_SIGNER_H_

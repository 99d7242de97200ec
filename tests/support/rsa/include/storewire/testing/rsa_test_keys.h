// Test-only: RSA keys generated at run time, PKCS#1 v1.5 / PSS signatures, and
// a throw-away CA with a leaf certificate (the SNS signing certificate).
//
//   RsaTestKey key = RsaTestKey::Generate(2048);
//   std::string spki = key.SpkiBase64();                 // -> huawei.public_key
//   std::string sig = key.SignBase64(data, "SHA256", /*pss_salt=*/-1);
//   TestCertificate cert = TestCertificate::Issue(key);  // CA-signed leaf PEM
//
// Thread safety: const methods are safe to call concurrently.
#ifndef STOREWIRE_TESTING_RSA_TEST_KEYS_H_
#define STOREWIRE_TESTING_RSA_TEST_KEYS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's own typedef

namespace storewire::testing {

class RsaTestKey {
 public:
  static RsaTestKey Generate(int bits = 2048);
  // DER SubjectPublicKeyInfo, standard base64.
  std::string SpkiBase64() const;
  std::string PublicPem() const;
  // digest "SHA1" or "SHA256". pss_salt < 0: PKCS#1 v1.5; >= 0: PSS with
  // MGF1 of the same digest and that salt length.
  std::string Sign(absl::string_view data, absl::string_view digest, int pss_salt = -1) const;
  std::string SignBase64(absl::string_view data, absl::string_view digest, int pss_salt = -1) const;
  EVP_PKEY* evp() const { return key_.get(); }

 private:
  std::shared_ptr<EVP_PKEY> key_;
};

// A leaf certificate for `key`, signed by a fresh CA (both PEM).
struct TestCertificate {
  std::string leaf_pem, ca_pem;
  static TestCertificate Issue(const RsaTestKey& key,
                               absl::Time not_before = absl::FromUnixSeconds(1672531200),
                               absl::Time not_after = absl::FromUnixSeconds(2082758400));
};

// An Amazon SNS HTTPS message, signed like SNS does (independent of the
// library's own string-to-sign code). Empty optional fields are omitted.
struct SnsFields {
  std::string type = "Notification";
  std::string message_id = "b1c4d9bb-0fd9-54b2-8f74-8e59c91e396a";
  std::string topic_arn = "arn:aws:sns:us-east-1:123456789012:appstore-rtn";
  std::string message;
  std::string subject;  // "" = no Subject member
  std::string timestamp = "2025-11-01T02:08:20.686Z";
  std::string signature_version = "2";
  std::string signing_cert_url =
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";
  std::string subscribe_url;
  std::string token;
};
// `signature_override` replaces the computed signature when non-empty.
std::string SignedSnsBody(const SnsFields& fields, const RsaTestKey& key,
                          const std::string& signature_override = "");
// The RTN Message JSON.
std::string RtnMessageJson(const std::string& type, const std::string& receipt_id,
                           const std::string& user_id = "amzn-user-1",
                           const std::string& package = "com.example.app",
                           int64_t timestamp_ms = 1761962900000);

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTING_RSA_TEST_KEYS_H_

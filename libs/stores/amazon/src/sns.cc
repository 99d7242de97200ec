#include "storewire/stores/amazon/sns.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "json_fields.h"
#include "storewire/crypto/base64.h"

namespace storewire::stores::amazon {
namespace {

constexpr size_t kMaxUrlBytes = 2048;

void Append(std::string& out, absl::string_view key, absl::string_view value) {
  absl::StrAppend(&out, key, "\n", value, "\n");
}

}  // namespace

std::optional<absl::Time> SnsMessage::Time() const {
  absl::Time t;
  std::string error;
  if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", timestamp, &t, &error)) return t;
  return std::nullopt;
}

absl::StatusOr<SnsMessage> ParseSnsMessage(absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status s = internal::ParseObject(body, doc, "SNS body"); !s.ok()) return s;
  internal::Fields f(doc, "");
  SnsMessage m;
  f.String("Type", m.type);
  f.String("MessageId", m.message_id);
  f.String("TopicArn", m.topic_arn);
  f.String("Message", m.message);
  f.String("Timestamp", m.timestamp);
  f.String("SignatureVersion", m.signature_version);
  f.String("Signature", m.signature);
  f.String("SigningCertURL", m.signing_cert_url);
  if (m.signing_cert_url.empty()) f.String("SigningCertUrl", m.signing_cert_url);
  f.String("SubscribeURL", m.subscribe_url);
  f.String("UnsubscribeURL", m.unsubscribe_url);
  f.String("Token", m.token);
  if (f.Find("Subject") != nullptr) {
    std::string subject;
    f.String("Subject", subject);
    m.subject = subject;
  }
  if (!f.status().ok()) return f.status();
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"Type", &m.type},
                                    {"MessageId", &m.message_id},
                                    {"TopicArn", &m.topic_arn},
                                    {"Timestamp", &m.timestamp}}) {
    if (value->empty())
      return absl::InvalidArgumentError(absl::StrCat("SNS ", name, " is missing"));
  }
  if (!m.IsNotification() && !m.IsConfirmation()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SNS Type '", m.type.substr(0, 64),
                     "' is not Notification, SubscriptionConfirmation or UnsubscribeConfirmation"));
  }
  if (m.IsConfirmation() && (m.subscribe_url.empty() || m.token.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("SNS ", m.type, " without SubscribeURL or Token"));
  }
  return m;
}

std::string StringToSign(const SnsMessage& m) {
  std::string out;
  Append(out, "Message", m.message);
  Append(out, "MessageId", m.message_id);
  if (m.IsNotification()) {
    if (m.subject) Append(out, "Subject", *m.subject);
  } else {
    Append(out, "SubscribeURL", m.subscribe_url);
  }
  Append(out, "Timestamp", m.timestamp);
  if (!m.IsNotification()) Append(out, "Token", m.token);
  Append(out, "TopicArn", m.topic_arn);
  Append(out, "Type", m.type);
  return out;
}

absl::Status VerifySnsSignature(const SnsMessage& m, const crypto::Certificate& certificate) {
  const EVP_MD* md = nullptr;
  if (m.signature_version == "1") {
    md = EVP_sha1();
  } else if (m.signature_version == "2") {
    md = EVP_sha256();
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("SignatureVersion '", m.signature_version.substr(0, 16), "' is not 1 or 2"));
  }
  absl::StatusOr<std::string> signature = crypto::Base64Decode(m.signature);
  if (!signature.ok()) {
    std::string lenient;
    if (m.signature.empty() || !absl::Base64Unescape(m.signature, &lenient)) {
      return absl::InvalidArgumentError("Signature is missing or not base64");
    }
    signature = std::move(lenient);
  }
  absl::StatusOr<crypto::PublicKey> key = certificate.GetPublicKey();
  if (!key.ok()) return key.status();
  if (!key->IsRsa()) return absl::InvalidArgumentError("the signing certificate's key is not RSA");
  const std::string data = StringToSign(m);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key->evp()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    ERR_clear_error();
    return absl::InternalError("cannot set up RSA verification");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1) {
    ERR_clear_error();
    return absl::UnauthenticatedError(absl::StrCat("SNS signature (version ", m.signature_version,
                                                   ") does not verify with the certificate from ",
                                                   m.signing_cert_url));
  }
  return absl::OkStatus();
}

// Patterns come from the config (a handful): each is compiled once. A pattern
// that does not compile is remembered as nullptr (matches nothing).
std::shared_ptr<const std::regex> CompiledPattern(const std::string& pattern) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* cache =
      new std::map<std::string, std::shared_ptr<const std::regex>>();  // never destroyed
  absl::MutexLock lock(&mu);
  auto it = cache->find(pattern);
  if (it != cache->end()) return it->second;
  std::shared_ptr<const std::regex> re;
  try {
    re = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    re = nullptr;
  }
  if (cache->size() < 256) cache->emplace(pattern, re);
  return re;
}

bool UrlAllowed(absl::string_view url, const std::string& pattern) {
  if (url.empty() || url.size() > kMaxUrlBytes || pattern.empty()) return false;
  std::shared_ptr<const std::regex> re = CompiledPattern(pattern);
  return re != nullptr && std::regex_match(url.begin(), url.end(), *re);
}

absl::Status CheckAtDoor(const AmazonAppConfig& amazon, absl::string_view body) {
  absl::StatusOr<SnsMessage> m = ParseSnsMessage(body);
  if (!m.ok()) return absl::UnauthenticatedError(std::string(m.status().message()));
  if (m->signature_version != "1" && m->signature_version != "2") {
    return absl::UnauthenticatedError("SignatureVersion is not 1 or 2");
  }
  if (m->signature.empty()) return absl::UnauthenticatedError("no Signature");
  if (std::find(amazon.topic_arns.begin(), amazon.topic_arns.end(), m->topic_arn) ==
      amazon.topic_arns.end()) {
    return absl::UnauthenticatedError("TopicArn is not one of the app's amazon.topic_arns");
  }
  if (!UrlAllowed(m->signing_cert_url, amazon.signing_cert_url_pattern)) {
    return absl::UnauthenticatedError(
        "SigningCertURL does not match the app's amazon.signing_cert_url_pattern");
  }
  return absl::OkStatus();
}

}  // namespace storewire::stores::amazon

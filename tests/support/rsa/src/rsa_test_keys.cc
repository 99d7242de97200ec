#include "storewire/testing/rsa_test_keys.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace storewire::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::cerr << "rsa_test_keys: " << what << " failed\n";
    std::abort();
  }
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  return BioText(bio);
}

X509* NewCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long serial,
              absl::Time nb, absl::Time na) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  ASN1_TIME_set(X509_getm_notBefore(cert), absl::ToTimeT(nb));
  ASN1_TIME_set(X509_getm_notAfter(cert), absl::ToTimeT(na));
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_subject_name(cert, name);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_NAME_free(name);
  Check(X509_sign(cert, issuer_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

}  // namespace

RsaTestKey RsaTestKey::Generate(int bits) {
  RsaTestKey k;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  Check(key != nullptr, "RSA keygen");
  k.key_ = std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
  return k;
}

std::string RsaTestKey::SpkiBase64() const {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(key_.get(), &buf);
  Check(len > 0, "i2d_PUBKEY");
  std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return absl::Base64Escape(der);
}

std::string RsaTestKey::PublicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  return BioText(bio);
}

std::string RsaTestKey::Sign(absl::string_view data, absl::string_view digest, int pss_salt) const {
  const EVP_MD* md = digest == "SHA1" ? EVP_sha1() : EVP_sha256();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  Check(EVP_DigestSignInit(ctx, &pctx, md, nullptr, key_.get()) == 1, "DigestSignInit");
  if (pss_salt >= 0) {
    Check(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1, "pss");
    Check(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1, "mgf1");
    Check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) == 1, "saltlen");
  }
  size_t len = 0;
  Check(EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1,
        "DigestSign size");
  std::string sig(len, '\0');
  Check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1,
        "DigestSign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

std::string RsaTestKey::SignBase64(absl::string_view data, absl::string_view digest,
                                   int pss_salt) const {
  return absl::Base64Escape(Sign(data, digest, pss_salt));
}

TestCertificate TestCertificate::Issue(const RsaTestKey& key, absl::Time not_before,
                                       absl::Time not_after) {
  RsaTestKey ca_key = RsaTestKey::Generate(2048);
  X509* ca =
      NewCert(ca_key.evp(), "storewire test CA", nullptr, ca_key.evp(), 1, not_before, not_after);
  X509* leaf = NewCert(key.evp(), "sns.amazonaws.com", ca, ca_key.evp(), 2, not_before, not_after);
  TestCertificate out{CertPem(leaf), CertPem(ca)};
  X509_free(leaf);
  X509_free(ca);
  return out;
}

std::string SignedSnsBody(const SnsFields& f, const RsaTestKey& key,
                          const std::string& signature_override) {
  const bool notification = f.type == "Notification";
  std::string to_sign = absl::StrCat("Message\n", f.message, "\nMessageId\n", f.message_id, "\n");
  if (notification && !f.subject.empty()) absl::StrAppend(&to_sign, "Subject\n", f.subject, "\n");
  if (!notification) absl::StrAppend(&to_sign, "SubscribeURL\n", f.subscribe_url, "\n");
  absl::StrAppend(&to_sign, "Timestamp\n", f.timestamp, "\n");
  if (!notification) absl::StrAppend(&to_sign, "Token\n", f.token, "\n");
  absl::StrAppend(&to_sign, "TopicArn\n", f.topic_arn, "\nType\n", f.type, "\n");
  const std::string signature =
      !signature_override.empty()
          ? signature_override
          : key.SignBase64(to_sign, f.signature_version == "1" ? "SHA1" : "SHA256");
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto member = [&w](const char* name, const std::string& value) {
    w.Key(name);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  member("Type", f.type);
  member("MessageId", f.message_id);
  if (!f.token.empty()) member("Token", f.token);
  member("TopicArn", f.topic_arn);
  if (!f.subject.empty()) member("Subject", f.subject);
  member("Message", f.message);
  if (!f.subscribe_url.empty()) member("SubscribeURL", f.subscribe_url);
  member("Timestamp", f.timestamp);
  member("SignatureVersion", f.signature_version);
  member("Signature", signature);
  member("SigningCertURL", f.signing_cert_url);
  w.EndObject();
  return buf.GetString();
}

std::string RtnMessageJson(const std::string& type, const std::string& receipt_id,
                           const std::string& user_id, const std::string& package,
                           int64_t timestamp_ms) {
  return absl::StrCat(R"({"appPackageName":")", package, R"(","notificationType":")", type,
                      R"(","appUserId":")", user_id, R"(","receiptId":")", receipt_id,
                      R"(","relatedReceipts":{},"timestamp":)", timestamp_ms,
                      R"(,"betaProductTransaction":false})");
}

}  // namespace storewire::testing

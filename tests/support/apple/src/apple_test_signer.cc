#include "storewire/testing/apple_test_signer.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "storewire/crypto/base64.h"

namespace storewire::testing {
namespace {

using KeyPtr = std::shared_ptr<EVP_PKEY>;
using CertPtr = std::shared_ptr<X509>;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "apple_test_signer: %s failed\n", what);
    std::abort();
  }
}

KeyPtr NewKey(const char* curve) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  Check(key != nullptr, "keygen");
  return KeyPtr(key, EVP_PKEY_free);
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void AddMarker(X509* cert, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
  static const unsigned char kNull[] = {0x05, 0x00};
  ASN1_OCTET_STRING_set(value, kNull, sizeof(kNull));
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, value);
  Check(ext != nullptr, "marker extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(value);
  ASN1_OBJECT_free(obj);
}

CertPtr MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                 const char* marker, const TestChainOptions& o, long serial,
                 const std::string& ocsp_url = "") {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  ASN1_TIME_set(X509_getm_notBefore(cert), absl::ToTimeT(o.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert), absl::ToTimeT(o.not_after));
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("storewire test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_subject_name(cert, name);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_NAME_free(name);
  X509* issuer_or_self = issuer != nullptr ? issuer : cert;
  AddExt(cert, issuer_or_self, NID_basic_constraints,
         ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExt(cert, issuer_or_self, NID_key_usage,
         ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  if (marker != nullptr) AddMarker(cert, marker);
  if (!ocsp_url.empty()) {
    AddExt(cert, issuer_or_self, NID_info_access, ("OCSP;URI:" + ocsp_url).c_str());
  }
  Check(X509_sign(cert, issuer_key, EVP_sha384()) > 0, "X509_sign");
  return CertPtr(cert, X509_free);
}

std::string Der(X509* cert) {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::string SignDer(EVP_PKEY* key, absl::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Check(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1, "sign init");
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx, nullptr, &len, in, input.size());
  std::string sig(len, '\0');
  Check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()) ==
            1,
        "sign");
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

std::string DerToRaw(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  Check(sig != nullptr, "d2i_ECDSA_SIG");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, const char* key, const std::string& v) {
  if (v.empty()) return;
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
void Int(Writer& w, const char* key, const std::optional<int64_t>& v) {
  if (!v) return;
  w.Key(key);
  w.Int64(*v);
}

}  // namespace

struct AppleTestSigner::Impl {
  KeyPtr root_key, intermediate_key, leaf_key;
  CertPtr root, intermediate, leaf;
};

AppleTestSigner::AppleTestSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AppleTestSigner::~AppleTestSigner() = default;

std::unique_ptr<AppleTestSigner> AppleTestSigner::Create(const TestChainOptions& o) {
  auto impl = std::make_unique<Impl>();
  impl->root_key = NewKey(o.root_curve.c_str());
  impl->intermediate_key = NewKey("P-384");
  impl->leaf_key = NewKey("P-256");
  impl->root = MakeCert(impl->root_key.get(), "storewire Test Root CA", nullptr,
                        impl->root_key.get(), true, nullptr, o, 1);
  impl->intermediate = MakeCert(impl->intermediate_key.get(), "storewire Test WWDR",
                                impl->root.get(), impl->root_key.get(), true,
                                o.intermediate_oid ? "1.2.840.113635.100.6.2.1" : nullptr, o, 2,
                                o.intermediate_ocsp_url);
  impl->leaf = MakeCert(impl->leaf_key.get(), "storewire Test Signing Leaf",
                        impl->intermediate.get(), impl->intermediate_key.get(), false,
                        o.leaf_oid ? "1.2.840.113635.100.6.11.1" : nullptr, o, 3, o.leaf_ocsp_url);
  return std::unique_ptr<AppleTestSigner>(new AppleTestSigner(std::move(impl)));
}

namespace {

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

}  // namespace

void AppleTestSigner::WriteCaFiles(const std::string& dir) const {
  const std::string d = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::ofstream(d + "root.pem") << CertPem(impl_->root.get());
  std::ofstream(d + "root.key") << KeyPem(impl_->root_key.get());
  std::ofstream(d + "intermediate.pem") << CertPem(impl_->intermediate.get());
  std::ofstream(d + "intermediate.key") << KeyPem(impl_->intermediate_key.get());
  std::ofstream(d + "leaf.pem") << CertPem(impl_->leaf.get());
}

std::string AppleTestSigner::RootDer() const { return Der(impl_->root.get()); }

std::string AppleTestSigner::RootPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, impl_->root.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string AppleTestSigner::WriteRootPem(const std::string& dir) const {
  static std::atomic<int> counter{0};
  std::string path = absl::StrCat(dir, dir.empty() || dir.back() == '/' ? "" : "/",
                                  "apple_test_root_", getpid(), "_", counter++, ".pem");
  std::ofstream(path) << RootPem();
  return path;
}

std::string AppleTestSigner::Sign(absl::string_view payload_json, const JwsOptions& o) const {
  rapidjson::StringBuffer header;
  Writer w(header);
  w.StartObject();
  w.Key("alg");
  w.String(o.alg.c_str());
  if (!o.omit_x5c) {
    w.Key("x5c");
    w.StartArray();
    std::vector<X509*> chain = {impl_->leaf.get(), impl_->intermediate.get(), impl_->root.get()};
    for (int i = 0; i < o.x5c_count; ++i) {
      w.String(crypto::Base64Encode(Der(chain[std::min<size_t>(i, 2)])).c_str());
    }
    w.EndArray();
  }
  w.EndObject();
  std::string input = absl::StrCat(crypto::Base64UrlEncode(header.GetString()), ".",
                                   crypto::Base64UrlEncode(payload_json));
  KeyPtr key = o.wrong_key ? NewKey("P-256") : impl_->leaf_key;
  std::string der = SignDer(key.get(), input);
  std::string sig = o.der_signature ? der : DerToRaw(der);
  if (o.alg == "none") sig.clear();
  return absl::StrCat(input, ".", crypto::Base64UrlEncode(sig));
}

std::string AppleTestSigner::TransactionJson(const TransactionParams& p) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Str(w, "transactionId", p.transaction_id);
  Str(w, "originalTransactionId", p.original_transaction_id);
  Str(w, "webOrderLineItemId", p.web_order_line_item_id);
  Str(w, "bundleId", p.bundle_id);
  Str(w, "productId", p.product_id);
  Int(w, "purchaseDate", p.purchase_date_ms);
  Int(w, "originalPurchaseDate", p.purchase_date_ms);
  Int(w, "expiresDate", p.expires_date_ms);
  Int(w, "quantity", 1);
  Str(w, "type", p.type);
  Str(w, "appAccountToken", p.app_account_token);
  Str(w, "inAppOwnershipType", p.in_app_ownership_type);
  Int(w, "signedDate", p.signed_date_ms);
  Str(w, "environment", p.environment);
  Str(w, "transactionReason", p.transaction_reason);
  Str(w, "storefront", p.storefront);
  Int(w, "price", p.price);
  Str(w, "currency", p.currency);
  Int(w, "offerType", p.offer_type);
  Str(w, "offerIdentifier", p.offer_identifier);
  Str(w, "offerDiscountType", p.offer_discount_type);
  Int(w, "revocationDate", p.revocation_date_ms);
  Int(w, "revocationReason", p.revocation_reason);
  w.EndObject();
  return buf.GetString();
}

std::string AppleTestSigner::RenewalJson(const RenewalParams& p) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Str(w, "originalTransactionId", p.original_transaction_id);
  Str(w, "autoRenewProductId", p.auto_renew_product_id);
  Str(w, "productId", p.product_id);
  Int(w, "autoRenewStatus", p.auto_renew_status);
  Int(w, "expirationIntent", p.expiration_intent);
  Int(w, "gracePeriodExpiresDate", p.grace_period_expires_date_ms);
  Int(w, "signedDate", p.signed_date_ms);
  Str(w, "environment", p.environment);
  w.EndObject();
  return buf.GetString();
}

std::string AppleTestSigner::NotificationJson(const NotificationParams& p,
                                              const JwsOptions& nested) const {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Str(w, "notificationType", p.type);
  Str(w, "subtype", p.subtype);
  Str(w, "notificationUUID", p.uuid);
  Str(w, "version", "2.0");
  Int(w, "signedDate", p.signed_date_ms);
  if (p.shape == "data") {
    w.Key("data");
    w.StartObject();
    Int(w, "appAppleId", p.app_apple_id);
    Str(w, "bundleId", p.bundle_id);
    Str(w, "bundleVersion", "1.0");
    Str(w, "environment", p.environment);
    if (p.transaction)
      Str(w, "signedTransactionInfo", Sign(TransactionJson(*p.transaction), nested));
    if (p.renewal) Str(w, "signedRenewalInfo", Sign(RenewalJson(*p.renewal), nested));
    Int(w, "status", 1);
    w.EndObject();
  }
  w.EndObject();
  return buf.GetString();
}

std::string AppleTestSigner::SignNotification(const NotificationParams& p, const JwsOptions& outer,
                                              const JwsOptions& nested) const {
  return Sign(NotificationJson(p, nested), outer);
}

std::string AppleTestSigner::NotificationBody(const NotificationParams& p, const JwsOptions& outer,
                                              const JwsOptions& nested) const {
  return absl::StrCat("{\"signedPayload\":\"", SignNotification(p, outer, nested), "\"}");
}

}  // namespace storewire::testing

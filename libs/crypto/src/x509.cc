#include "storewire/crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storewire/crypto/digest.h"

namespace storewire::crypto {
namespace {

absl::Time Asn1ToTime(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return absl::InfinitePast();
  return absl::FromTM(tm, absl::UTCTimeZone());
}

std::string NameToString(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

}  // namespace

Certificate Certificate::FromX509(X509* cert) {
  X509_up_ref(cert);
  return Certificate(std::shared_ptr<X509>(cert, X509_free));
}

absl::StatusOr<Certificate> Certificate::FromDer(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr) return absl::InvalidArgumentError("not a DER X.509 certificate");
  std::shared_ptr<X509> owned(cert, X509_free);
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return absl::InvalidArgumentError("trailing bytes after the DER certificate");
  }
  return Certificate(std::move(owned));
}

absl::StatusOr<std::vector<Certificate>> Certificate::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  std::vector<Certificate> out;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    out.push_back(Certificate(std::shared_ptr<X509>(cert, X509_free)));
  }
  BIO_free(bio);
  if (out.empty()) return absl::InvalidArgumentError("no PEM CERTIFICATE block");
  return out;
}

absl::StatusOr<std::vector<Certificate>> Certificate::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read certificate file '", path, "'"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (absl::StrContains(bytes, "-----BEGIN CERTIFICATE-----")) {
    auto certs = FromPem(bytes);
    if (!certs.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("'", path, "': ", certs.status().message()));
    }
    return certs;
  }
  auto cert = FromDer(bytes);
  if (!cert.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is neither PEM nor DER certificate: ", cert.status().message()));
  }
  return std::vector<Certificate>{*std::move(cert)};
}

std::string Certificate::Der() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert_.get(), &buf);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::string Certificate::Pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  PEM_write_bio_X509(bio, cert_.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string Certificate::Subject() const {
  return NameToString(X509_get_subject_name(cert_.get()));
}
std::string Certificate::Issuer() const { return NameToString(X509_get_issuer_name(cert_.get())); }

std::string Certificate::SerialHex() const {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr);
  if (bn == nullptr) return {};
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

absl::Time Certificate::NotBefore() const { return Asn1ToTime(X509_get0_notBefore(cert_.get())); }
absl::Time Certificate::NotAfter() const { return Asn1ToTime(X509_get0_notAfter(cert_.get())); }

bool Certificate::ValidAt(absl::Time when) const {
  return NotBefore() <= when && when <= NotAfter();
}

bool Certificate::HasExtension(absl::string_view oid) const {
  ASN1_OBJECT* obj = OBJ_txt2obj(std::string(oid).c_str(), /*no_name=*/1);
  if (obj == nullptr) return false;
  int index = X509_get_ext_by_OBJ(cert_.get(), obj, -1);
  ASN1_OBJECT_free(obj);
  return index >= 0;
}

bool Certificate::IsCa() const { return X509_check_ca(cert_.get()) >= 1; }

bool Certificate::IsSignedBy(const Certificate& issuer) const {
  if (X509_NAME_cmp(X509_get_issuer_name(cert_.get()), X509_get_subject_name(issuer.x509())) != 0) {
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.x509());
  return key != nullptr && X509_verify(cert_.get(), key) == 1;
}

absl::StatusOr<PublicKey> Certificate::GetPublicKey() const {
  EVP_PKEY* key = X509_get0_pubkey(cert_.get());
  if (key == nullptr) return absl::InvalidArgumentError("certificate public key is not usable");
  return PublicKey::FromEvp(key);
}

std::string Certificate::Fingerprint() const { return Sha256(Der()); }

}  // namespace storewire::crypto

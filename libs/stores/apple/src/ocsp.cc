// HTTP OCSP client: OpenSSL builds the request and checks the response,
// libcurl carries it. Network trouble is kUnavailable (retryable).
#include "storewire/stores/apple/ocsp.h"

#include <curl/curl.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

namespace storewire::stores::apple {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using CertIdPtr = std::unique_ptr<OCSP_CERTID, Deleter<OCSP_CERTID, OCSP_CERTID_free>>;
using RequestPtr = std::unique_ptr<OCSP_REQUEST, Deleter<OCSP_REQUEST, OCSP_REQUEST_free>>;
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, Deleter<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, Deleter<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > (1 << 20)) return 0;  // refuse huge responses
  body->append(data, size * n);
  return size * n;
}

std::string ResponderUrl(X509* cert) {
  STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(cert);
  std::string url;
  if (urls != nullptr && sk_OPENSSL_STRING_num(urls) > 0) url = sk_OPENSSL_STRING_value(urls, 0);
  X509_email_free(urls);
  return url;
}

class HttpOcspClient final : public OcspClient {
 public:
  explicit HttpOcspClient(absl::Duration timeout) : timeout_(timeout) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
  }

  absl::StatusOr<OcspResult> Check(const crypto::Certificate& cert,
                                   const crypto::Certificate& issuer,
                                   absl::Time now) const override {
    const std::string url = ResponderUrl(cert.x509());
    if (url.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("certificate '", cert.Subject(), "' names no OCSP responder (AIA)"));
    }
    CertIdPtr id(OCSP_cert_to_id(EVP_sha256(), cert.x509(), issuer.x509()));
    RequestPtr request(OCSP_REQUEST_new());
    if (!id || !request ||
        OCSP_request_add0_id(request.get(), OCSP_CERTID_dup(id.get())) == nullptr) {
      return absl::InternalError("cannot build OCSP request");
    }
    unsigned char* der = nullptr;
    int der_len = i2d_OCSP_REQUEST(request.get(), &der);
    if (der_len <= 0) return absl::InternalError("cannot encode OCSP request");
    std::string request_der(reinterpret_cast<char*>(der), static_cast<size_t>(der_len));
    OPENSSL_free(der);

    auto body = Post(url, request_der);
    if (!body.ok()) return body.status();
    const unsigned char* p = reinterpret_cast<const unsigned char*>(body->data());
    ResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(body->size())));
    if (!response)
      return absl::InvalidArgumentError(
          absl::StrCat("OCSP response from ", url, " does not parse"));
    int rs = OCSP_response_status(response.get());
    if (rs == OCSP_RESPONSE_STATUS_TRYLATER || rs == OCSP_RESPONSE_STATUS_INTERNALERROR) {
      return absl::UnavailableError(absl::StrCat("OCSP responder ", url, " says try later"));
    }
    if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
      return absl::InvalidArgumentError(absl::StrCat("OCSP responder ", url, " status ", rs));
    }
    BasicPtr basic(OCSP_response_get1_basic(response.get()));
    if (!basic) return absl::InvalidArgumentError("OCSP response is not a basic response");
    StorePtr store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), issuer.x509());
    X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
    STACK_OF(X509)* extra = sk_X509_new_null();
    sk_X509_push(extra, issuer.x509());
    int verified = OCSP_basic_verify(basic.get(), extra, store.get(), 0);
    sk_X509_free(extra);
    if (verified != 1) {
      return absl::UnauthenticatedError(
          absl::StrCat("OCSP response from ", url, " does not verify"));
    }
    int status = 0, reason = 0;
    ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
    if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update,
                              &next_update) != 1) {
      return absl::InvalidArgumentError("OCSP response does not cover the certificate");
    }
    if (OCSP_check_validity(this_update, next_update, 300, -1) != 1) {
      return absl::InvalidArgumentError("OCSP response is outside its validity window");
    }
    OcspResult result;
    result.status = status == V_OCSP_CERTSTATUS_GOOD      ? OcspCertStatus::kGood
                    : status == V_OCSP_CERTSTATUS_REVOKED ? OcspCertStatus::kRevoked
                                                          : OcspCertStatus::kUnknown;
    struct tm tm {};
    if (next_update != nullptr && ASN1_TIME_to_tm(next_update, &tm) == 1) {
      result.next_update = absl::FromTM(tm, absl::UTCTimeZone());
    }
    (void)now;
    return result;
  }

 private:
  absl::StatusOr<std::string> Post(const std::string& url, const std::string& der) const {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return absl::UnavailableError("curl_easy_init failed");
    std::string body;
    struct curl_slist* headers =
        curl_slist_append(nullptr, "Content-Type: application/ocsp-request");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, der.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(der.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(timeout_)));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(curl);
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      return absl::UnavailableError(absl::StrCat("OCSP POST ", url, ": ", curl_easy_strerror(rc)));
    }
    if (http >= 500 || http == 429) {
      return absl::UnavailableError(absl::StrCat("OCSP POST ", url, ": HTTP ", http));
    }
    if (http != 200)
      return absl::InvalidArgumentError(absl::StrCat("OCSP POST ", url, ": HTTP ", http));
    return body;
  }

  absl::Duration timeout_;
};

}  // namespace

std::unique_ptr<OcspClient> MakeHttpOcspClient(absl::Duration timeout) {
  return std::make_unique<HttpOcspClient>(timeout);
}

}  // namespace storewire::stores::apple

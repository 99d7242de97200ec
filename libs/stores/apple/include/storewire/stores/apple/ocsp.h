// Revocation checks (OCSP) behind an interface, so that verification logic is
// tested with a fake and the network stays at the edge.
//
//   std::unique_ptr<OcspClient> ocsp = MakeHttpOcspClient(absl::Seconds(5));
//   absl::StatusOr<OcspResult> r = ocsp->Check(leaf, intermediate, absl::Now());
//
// Errors: kUnavailable / kDeadlineExceeded when the responder could not be
// reached (retryable: the caller must not reject the notification);
// kFailedPrecondition when the certificate names no OCSP responder;
// kInvalidArgument / kUnauthenticated for a response that does not parse or
// whose signature does not verify (permanent).
// Thread safety: Check may be called concurrently.
#ifndef STOREWIRE_STORES_APPLE_OCSP_H_
#define STOREWIRE_STORES_APPLE_OCSP_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/crypto/x509.h"

namespace storewire::stores::apple {

enum class OcspCertStatus { kGood, kRevoked, kUnknown };

struct OcspResult {
  OcspCertStatus status = OcspCertStatus::kUnknown;
  // The response's nextUpdate; InfinitePast when the responder gave none.
  absl::Time next_update = absl::InfinitePast();
};

class OcspClient {
 public:
  virtual ~OcspClient() = default;
  // Status of `cert` (issued by `issuer`) per the responder in cert's AIA,
  // with a SHA-256 CertID.
  virtual absl::StatusOr<OcspResult> Check(const crypto::Certificate& cert,
                                           const crypto::Certificate& issuer,
                                           absl::Time now) const = 0;
};

// OpenSSL's OCSP request/response code over libcurl HTTP POST.
std::unique_ptr<OcspClient> MakeHttpOcspClient(absl::Duration timeout = absl::Seconds(5));

}  // namespace storewire::stores::apple

#endif  // STOREWIRE_STORES_APPLE_OCSP_H_

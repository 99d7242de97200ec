// Amazon's Receipt Verification Service, behind an interface so that tests
// use fakes:
//
//   std::unique_ptr<ReceiptVerifier> rvs = MakeHttpReceiptVerifier(client);
//   absl::StatusOr<Receipt> r = rvs->Verify(*app.amazon, app_user_id, receipt_id);
//
// HTTP: GET <rvs_base_url>/version/1.0/verifyReceiptId/developer/<shared_secret>
// /user/<appUserId>/receiptId/<receiptId> (path segments percent-encoded).
// Errors: kUnavailable (network, timeout, 5xx, 429: retry later),
// kNotFound (400 invalid receiptId, 497 invalid user, 410 no longer valid),
// kPermissionDenied (496 invalid shared secret), kInvalidArgument (a 200 whose
// body is not a receipt).
// Lifetime: the client must outlive the verifier. Thread safety: Verify may
// be called concurrently (blocking; never from a client callback).
#ifndef STOREWIRE_STORES_AMAZON_RVS_H_
#define STOREWIRE_STORES_AMAZON_RVS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storewire/core/config.h"
#include "storewire/http/client.h"
#include "storewire/stores/amazon/rtn.h"

namespace storewire::stores::amazon {

class ReceiptVerifier {
 public:
  virtual ~ReceiptVerifier() = default;
  virtual absl::StatusOr<Receipt> Verify(const AmazonAppConfig& app, absl::string_view user_id,
                                         absl::string_view receipt_id) const = 0;
};

std::unique_ptr<ReceiptVerifier> MakeHttpReceiptVerifier(http::Client& client);

// The request URL (exposed for tests).
std::string ReceiptUrl(const AmazonAppConfig& app, absl::string_view user_id,
                       absl::string_view receipt_id);

}  // namespace storewire::stores::amazon

#endif  // STOREWIRE_STORES_AMAZON_RVS_H_

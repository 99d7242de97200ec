#include "storewire/stores/amazon/rvs.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "storewire/stores/amazon/certificates.h"

namespace storewire::stores::amazon {
namespace {

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string Segment(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%",
                      absl::AsciiStrToUpper(absl::StrCat(absl::Hex(c, absl::kZeroPad2))));
    }
  }
  return out;
}

class HttpReceiptVerifier final : public ReceiptVerifier {
 public:
  explicit HttpReceiptVerifier(http::Client& client) : client_(client) {}

  absl::StatusOr<Receipt> Verify(const AmazonAppConfig& app, absl::string_view user_id,
                                 absl::string_view receipt_id) const override {
    absl::StatusOr<http::ClientResponse> response =
        Fetch(client_, ReceiptUrl(app, user_id, receipt_id));
    if (!response.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Receipt Verification Service unreachable: ", response.status().message()));
    }
    const int status = response->status;
    if (status == 200) {
      absl::StatusOr<Receipt> receipt = DecodeReceipt(response->body);
      if (!receipt.ok()) return receipt.status();
      return receipt;
    }
    if (status >= 500 || status == 429) {
      return absl::UnavailableError(
          absl::StrCat("Receipt Verification Service answered HTTP ", status));
    }
    if (status == 496) {
      return absl::PermissionDeniedError(
          "Receipt Verification Service: invalid shared secret (HTTP 496). Hint: check "
          "apps[].amazon.shared_secret");
    }
    return absl::NotFoundError(absl::StrCat("Receipt Verification Service answered HTTP ", status,
                                            status == 497   ? " (invalid user id)"
                                            : status == 400 ? " (invalid receipt id)"
                                                            : ""));
  }

 private:
  http::Client& client_;
};

}  // namespace

std::string ReceiptUrl(const AmazonAppConfig& app, absl::string_view user_id,
                       absl::string_view receipt_id) {
  return absl::StrCat(absl::StripSuffix(app.rvs_base_url, "/"),
                      "/version/1.0/verifyReceiptId/developer/", Segment(app.shared_secret),
                      "/user/", Segment(user_id), "/receiptId/", Segment(receipt_id));
}

std::unique_ptr<ReceiptVerifier> MakeHttpReceiptVerifier(http::Client& client) {
  return std::make_unique<HttpReceiptVerifier>(client);
}

}  // namespace storewire::stores::amazon

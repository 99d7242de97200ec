#include "storewire/stores/apple/trust.h"

#include "absl/strings/str_cat.h"

namespace storewire::stores::apple {

absl::StatusOr<std::vector<crypto::Certificate>> LoadTrustRoots(
    const std::vector<std::string>& files) {
  std::vector<crypto::Certificate> roots;
  if (files.empty()) {
    auto g3 = crypto::Certificate::FromDer(AppleRootCaG3Der());
    if (!g3.ok()) return absl::InternalError("built-in Apple Root CA - G3 does not parse");
    roots.push_back(*std::move(g3));
    return roots;
  }
  for (const std::string& file : files) {
    auto certs = crypto::Certificate::LoadFile(file);
    if (!certs.ok()) {
      return absl::Status(certs.status().code(),
                          absl::StrCat("apple trust root: ", certs.status().message()));
    }
    for (auto& c : *certs) roots.push_back(std::move(c));
  }
  return roots;
}

}  // namespace storewire::stores::apple

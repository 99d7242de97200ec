// Trust anchors for Apple's signed data.
//
//   absl::StatusOr<std::vector<crypto::Certificate>> roots =
//       LoadTrustRoots(app.apple->trust_roots);   // empty -> Apple Root CA - G3
//
// Errors: the message names the file that could not be read or parsed.
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_APPLE_TRUST_H_
#define STOREWIRE_STORES_APPLE_TRUST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storewire/crypto/x509.h"

namespace storewire::stores::apple {

// Extension OIDs Apple puts on the certificates that sign App Store data.
inline constexpr char kLeafMarkerOid[] = "1.2.840.113635.100.6.11.1";
inline constexpr char kIntermediateMarkerOid[] = "1.2.840.113635.100.6.2.1";

// DER of Apple Root CA - G3, compiled into the binary.
absl::string_view AppleRootCaG3Der();

// Every certificate of every file (PEM or DER); no files -> Apple Root CA - G3.
absl::StatusOr<std::vector<crypto::Certificate>> LoadTrustRoots(
    const std::vector<std::string>& files);

}  // namespace storewire::stores::apple

#endif  // STOREWIRE_STORES_APPLE_TRUST_H_

// Compact JWS (RFC 7515 section 7.1) parsing. Parsing only: the caller picks
// the key and calls VerifyEs256/VerifyRs256 on signing_input and signature.
//
//   absl::StatusOr<CompactJws> jws = ParseCompactJws(text);
//   if (jws.ok() && jws->alg == "ES256") { ... VerifyEs256(key, jws->signing_input, ...) }
//
// Strict: exactly three '.'-separated parts, each strict unpadded base64url;
// the header must be a JSON object with a string "alg"; "x5c", when present,
// must be an array of strings (kept as written: standard base64 DER, decoding
// is the caller's business). The payload is returned as bytes, not parsed.
// Errors: kInvalidArgument saying which part is wrong.
// Thread safety: pure function.
#ifndef STOREWIRE_CRYPTO_JWS_H_
#define STOREWIRE_CRYPTO_JWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace storewire::crypto {

struct CompactJws {
  std::string alg;
  std::string kid;
  std::string typ;
  // Absent header member -> nullopt; present -> its strings in order.
  std::optional<std::vector<std::string>> x5c;
  std::string header_json;
  std::string payload;
  // The decoded signature bytes (64 for ES256 in JOSE form).
  std::string signature;
  // "<header b64>.<payload b64>": the bytes the signature covers.
  std::string signing_input;
};

absl::StatusOr<CompactJws> ParseCompactJws(absl::string_view text);

// The same for a JWS that usually shares its header with `known` (a JWS
// parsed before, e.g. nested JWS signed with the outer's chain): when the
// header part is byte for byte `known`'s, its decoded fields are copied
// instead of decoded and parsed again; otherwise exactly ParseCompactJws.
absl::StatusOr<CompactJws> ParseCompactJwsWithKnownHeader(absl::string_view text,
                                                          const CompactJws& known);

}  // namespace storewire::crypto

#endif  // STOREWIRE_CRYPTO_JWS_H_

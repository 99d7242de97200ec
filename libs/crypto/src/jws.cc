#include "storewire/crypto/jws.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "absl/strings/str_cat.h"
#include "storewire/crypto/base64.h"

namespace storewire::crypto {
namespace {

// Upper bound on a compact JWS we are willing to look at (Apple's are ~10 KiB).
constexpr size_t kMaxJwsBytes = 1 << 20;

absl::Status ParseHeader(CompactJws& jws) {
  // Parsed in place in a copy: the x5c strings (about a kilobyte each) are
  // then not copied character by character onto the parser's stack.
  if (jws.header_json.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("JWS header is not JSON: it contains a NUL byte");
  }
  std::string buffer = jws.header_json;
  rapidjson::Document doc;
  doc.ParseInsitu(buffer.data());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWS header is not JSON: ", rapidjson::GetParseError_En(doc.GetParseError()),
                     " at offset ", doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError("JWS header is not a JSON object");
  auto alg = doc.FindMember("alg");
  if (alg == doc.MemberEnd() || !alg->value.IsString()) {
    return absl::InvalidArgumentError("JWS header has no string \"alg\"");
  }
  jws.alg.assign(alg->value.GetString(), alg->value.GetStringLength());
  if (auto kid = doc.FindMember("kid"); kid != doc.MemberEnd() && kid->value.IsString()) {
    jws.kid.assign(kid->value.GetString(), kid->value.GetStringLength());
  }
  if (auto typ = doc.FindMember("typ"); typ != doc.MemberEnd() && typ->value.IsString()) {
    jws.typ.assign(typ->value.GetString(), typ->value.GetStringLength());
  }
  auto x5c = doc.FindMember("x5c");
  if (x5c != doc.MemberEnd()) {
    if (!x5c->value.IsArray()) {
      return absl::InvalidArgumentError("JWS header \"x5c\" is not an array");
    }
    std::vector<std::string> certs;
    for (const auto& v : x5c->value.GetArray()) {
      if (!v.IsString()) {
        return absl::InvalidArgumentError("JWS header \"x5c\" holds a non-string entry");
      }
      certs.emplace_back(v.GetString(), v.GetStringLength());
    }
    jws.x5c = std::move(certs);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CompactJws> ParseCompactJws(absl::string_view text) {
  if (text.size() > kMaxJwsBytes) {
    return absl::InvalidArgumentError(absl::StrCat("JWS of ", text.size(), " bytes is too large"));
  }
  size_t first = text.find('.');
  size_t second = first == absl::string_view::npos ? first : text.find('.', first + 1);
  if (second == absl::string_view::npos || text.find('.', second + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError("JWS must have exactly three '.'-separated parts");
  }
  absl::string_view header_b64 = text.substr(0, first);
  absl::string_view payload_b64 = text.substr(first + 1, second - first - 1);
  absl::string_view signature_b64 = text.substr(second + 1);
  if (header_b64.empty()) return absl::InvalidArgumentError("JWS header part is empty");

  CompactJws jws;
  auto header = Base64UrlDecode(header_b64);
  if (!header.ok())
    return absl::InvalidArgumentError(absl::StrCat("JWS header: ", header.status().message()));
  auto payload = Base64UrlDecode(payload_b64);
  if (!payload.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JWS payload: ", payload.status().message()));
  }
  auto signature = Base64UrlDecode(signature_b64);
  if (!signature.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWS signature: ", signature.status().message()));
  }
  jws.header_json = *std::move(header);
  jws.payload = *std::move(payload);
  jws.signature = *std::move(signature);
  jws.signing_input = std::string(text.substr(0, second));
  if (absl::Status s = ParseHeader(jws); !s.ok()) return s;
  return jws;
}

}  // namespace storewire::crypto

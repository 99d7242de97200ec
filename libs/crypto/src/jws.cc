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

namespace {

struct JwsParts {
  absl::string_view header, payload, signature;
};

absl::StatusOr<JwsParts> Split(absl::string_view text) {
  if (text.size() > kMaxJwsBytes) {
    return absl::InvalidArgumentError(absl::StrCat("JWS of ", text.size(), " bytes is too large"));
  }
  size_t first = text.find('.');
  size_t second = first == absl::string_view::npos ? first : text.find('.', first + 1);
  if (second == absl::string_view::npos || text.find('.', second + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError("JWS must have exactly three '.'-separated parts");
  }
  JwsParts parts{text.substr(0, first), text.substr(first + 1, second - first - 1),
                 text.substr(second + 1)};
  if (parts.header.empty()) return absl::InvalidArgumentError("JWS header part is empty");
  return parts;
}

// Decodes payload and signature into `jws`; signing_input from `text`.
absl::Status DecodePayloadAndSignature(absl::string_view text, const JwsParts& parts,
                                       CompactJws& jws) {
  auto payload = Base64UrlDecode(parts.payload);
  if (!payload.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JWS payload: ", payload.status().message()));
  }
  auto signature = Base64UrlDecode(parts.signature);
  if (!signature.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWS signature: ", signature.status().message()));
  }
  jws.payload = *std::move(payload);
  jws.signature = *std::move(signature);
  jws.signing_input = std::string(text.substr(0, parts.header.size() + 1 + parts.payload.size()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CompactJws> ParseCompactJws(absl::string_view text) {
  auto parts = Split(text);
  if (!parts.ok()) return parts.status();
  CompactJws jws;
  auto header = Base64UrlDecode(parts->header);
  if (!header.ok())
    return absl::InvalidArgumentError(absl::StrCat("JWS header: ", header.status().message()));
  if (absl::Status s = DecodePayloadAndSignature(text, *parts, jws); !s.ok()) return s;
  jws.header_json = *std::move(header);
  if (absl::Status s = ParseHeader(jws); !s.ok()) return s;
  return jws;
}

absl::StatusOr<CompactJws> ParseCompactJwsWithKnownHeader(absl::string_view text,
                                                          const CompactJws& known) {
  auto parts = Split(text);
  if (!parts.ok()) return parts.status();
  const absl::string_view known_header =
      absl::string_view(known.signing_input).substr(0, known.signing_input.find('.'));
  if (parts->header != known_header) return ParseCompactJws(text);
  CompactJws jws;
  if (absl::Status s = DecodePayloadAndSignature(text, *parts, jws); !s.ok()) return s;
  jws.alg = known.alg;
  jws.kid = known.kid;
  jws.typ = known.typ;
  jws.x5c = known.x5c;
  jws.header_json = known.header_json;
  return jws;
}

}  // namespace storewire::crypto

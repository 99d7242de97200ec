#include "storewire/crypto/base64.h"

#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace storewire::crypto {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using Table = std::array<int8_t, 256>;

constexpr Table MakeTable(const char* alphabet) {
  Table t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}

constexpr Table kStdTable = MakeTable(kStd);
constexpr Table kUrlTable = MakeTable(kUrl);

std::string Encode(absl::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes `in` (already stripped of padding) with `table`, four characters
// into three bytes at a time, straight into the sized result.
absl::StatusOr<std::string> Decode(absl::string_view in, const Table& table, const char* what) {
  const size_t rest = in.size() % 4;
  if (rest == 1) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": impossible length ", in.size()));
  }
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  auto invalid_at = [&](size_t from) {
    size_t i = from;
    while (i < in.size() && table[p[i]] >= 0) ++i;
    return absl::InvalidArgumentError(absl::StrCat(what, ": invalid character at offset ", i));
  };
  std::string out(in.size() / 4 * 3 + (rest == 0 ? 0 : rest - 1), '\0');
  char* o = out.data();
  const size_t full = in.size() - rest;
  for (size_t i = 0; i < full; i += 4) {
    const int8_t a = table[p[i]], b = table[p[i + 1]], c = table[p[i + 2]], d = table[p[i + 3]];
    if ((a | b | c | d) < 0) return invalid_at(i);
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>((v >> 8) & 0xff);
    *o++ = static_cast<char>(v & 0xff);
  }
  if (rest > 0) {
    const int8_t a = table[p[full]], b = table[p[full + 1]];
    const int8_t c = rest == 3 ? table[p[full + 2]] : 0;
    if ((a | b | c) < 0) return invalid_at(full);
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6);
    *o++ = static_cast<char>(v >> 16);
    if (rest == 3) *o++ = static_cast<char>((v >> 8) & 0xff);
    // The bits below the last whole byte must be zero (canonical encoding).
    const uint32_t trailing = rest == 2 ? (v >> 12) & 0xf : (v >> 6) & 0x3;
    if (trailing != 0)
      return absl::InvalidArgumentError(absl::StrCat(what, ": non-zero trailing bits"));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("base64: length ", text.size(), " is not a multiple of 4"));
  }
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  absl::string_view body = text.substr(0, text.size() - pad);
  if (pad > 0 && body.size() % 4 == 0) {
    return absl::InvalidArgumentError("base64: unexpected padding");
  }
  return Decode(body, kStdTable, "base64");
}

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  return Decode(text, kUrlTable, "base64url");
}

std::string Base64Encode(absl::string_view bytes) { return Encode(bytes, kStd, true); }
std::string Base64UrlEncode(absl::string_view bytes) { return Encode(bytes, kUrl, false); }

}  // namespace storewire::crypto

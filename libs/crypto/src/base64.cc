#include "storewire/crypto/base64.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/base/internal/endian.h"
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

// Four lookup tables per alphabet, each holding a character's six bits
// already shifted to its place in a 24-bit group, so a group of four
// characters is four loads and three ORs. An invalid character sets bits
// above the 24, which one comparison per group catches.
struct Tables {
  std::array<uint32_t, 256> shifted[4];
};

constexpr uint32_t kInvalid = 0xff000000u;

constexpr Tables MakeShifted(const Table& table) {
  Tables t{};
  for (int c = 0; c < 256; ++c) {
    for (int k = 0; k < 4; ++k) {
      t.shifted[k][c] = table[c] < 0 ? kInvalid : static_cast<uint32_t>(table[c]) << (18 - 6 * k);
    }
  }
  return t;
}

constexpr Tables kStdShifted = MakeShifted(kStdTable);
constexpr Tables kUrlShifted = MakeShifted(kUrlTable);

inline uint32_t Group(const Tables& t, const uint8_t* p) {
  return t.shifted[0][p[0]] | t.shifted[1][p[1]] | t.shifted[2][p[2]] | t.shifted[3][p[3]];
}

// Stores the three bytes of a 24-bit group, most significant first, as one
// four-byte write; the fourth byte is overwritten by the next group.
inline void StoreGroupWide(uint32_t v, char* o) {
  const uint32_t be = absl::ghtonl(v << 8);
  std::memcpy(o, &be, 4);
}

// Decodes `in` (already stripped of padding) with `table`, four characters
// into three bytes at a time, straight into the sized result.
absl::StatusOr<std::string> Decode(absl::string_view in, const Table& table, const Tables& shifted,
                                   const char* what) {
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
  size_t i = 0;
  // Two groups per step while a wide store of the second still fits.
  for (; i + 8 < full || (i + 8 == full && rest > 0); i += 8, o += 6) {
    const uint32_t v0 = Group(shifted, p + i), v1 = Group(shifted, p + i + 4);
    if (((v0 | v1) & kInvalid) != 0) return invalid_at(i);
    StoreGroupWide(v0, o);
    StoreGroupWide(v1, o + 3);
  }
  for (; i < full; i += 4) {
    const uint32_t v = Group(shifted, p + i);
    if ((v & kInvalid) != 0) return invalid_at(i);
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
  return Decode(body, kStdTable, kStdShifted, "base64");
}

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  return Decode(text, kUrlTable, kUrlShifted, "base64url");
}

std::string Base64Encode(absl::string_view bytes) { return Encode(bytes, kStd, true); }
std::string Base64UrlEncode(absl::string_view bytes) { return Encode(bytes, kUrl, false); }

}  // namespace storewire::crypto

// Small RapidJSON helpers shared by the Google parsers (internal).
#ifndef STOREWIRE_STORES_GOOGLE_SRC_JSON_H_
#define STOREWIRE_STORES_GOOGLE_SRC_JSON_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::stores::google::json {

using Value = rapidjson::Value;

inline absl::Status Parse(absl::string_view text, rapidjson::Document& doc, const char* what) {
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not JSON (error at offset ", doc.GetErrorOffset(), ")"));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError(absl::StrCat(what, " is not an object"));
  return absl::OkStatus();
}

inline const Value* Member(const Value* object, const char* name) {
  if (object == nullptr || !object->IsObject()) return nullptr;
  auto it = object->FindMember(name);
  if (it == object->MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

// The first of several spellings (messageId / message_id).
inline const Value* Member(const Value* object, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (const Value* v = Member(object, name)) return v;
  }
  return nullptr;
}

inline std::string String(const Value* v) {
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

// An integer given as a JSON number or a decimal string (Google sends int64
// as strings); nullopt when absent or not an integer.
inline std::optional<int64_t> Int64(const Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsString()) {
    int64_t out = 0;
    if (absl::SimpleAtoi(absl::string_view(v->GetString(), v->GetStringLength()), &out)) return out;
  }
  return std::nullopt;
}

inline std::optional<bool> Bool(const Value* v) {
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

// RFC 3339 ("2024-05-01T10:00:00.123Z").
inline std::optional<absl::Time> Rfc3339(const Value* v) {
  if (v == nullptr || !v->IsString()) return std::nullopt;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, v->GetString(), &t, &err)) return std::nullopt;
  return t;
}

}  // namespace storewire::stores::google::json

#endif  // STOREWIRE_STORES_GOOGLE_SRC_JSON_H_

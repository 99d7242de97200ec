// Typed reads of one JSON object's members; the first type error wins and
// names the member. Shared by the store parsers (Huawei, Amazon).
#ifndef STOREWIRE_STORES_JSON_FIELDS_H_
#define STOREWIRE_STORES_JSON_FIELDS_H_

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::stores::json {

// Iterative parsing: deep nesting cannot exhaust the stack.
inline absl::Status ParseObject(absl::string_view json, rapidjson::Document& doc,
                                absl::string_view what) {
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json.data(),
                                                                                    json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not JSON: ", rapidjson::GetParseError_En(doc.GetParseError()),
                     " at offset ", doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError(absl::StrCat(what, " is not an object"));
  return absl::OkStatus();
}

class Fields {
 public:
  Fields(const rapidjson::Value& object, std::string path)
      : object_(object), path_(std::move(path)) {}

  const rapidjson::Value* Find(const char* name) const {
    auto it = object_.FindMember(name);
    if (it == object_.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  void String(const char* name, std::string& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (v->IsString()) {
      out.assign(v->GetString(), v->GetStringLength());
    } else if (v->IsInt64()) {  // ids sometimes arrive as numbers
      out = absl::StrCat(v->GetInt64());
    } else {
      Fail(name, "a string");
    }
  }

  // A JSON integer, or a decimal string.
  void Int64(const char* name, std::optional<int64_t>& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    int64_t n = 0;
    if (v->IsInt64()) {
      out = v->GetInt64();
    } else if (v->IsDouble() && std::isfinite(v->GetDouble()) && std::fabs(v->GetDouble()) < 9e15 &&
               std::trunc(v->GetDouble()) == v->GetDouble()) {
      out = static_cast<int64_t>(v->GetDouble());
    } else if (v->IsString() &&
               absl::SimpleAtoi(absl::string_view(v->GetString(), v->GetStringLength()), &n)) {
      out = n;
    } else {
      Fail(name, "an integer");
    }
  }

  // true/false, or "true"/"false", or 1/0.
  void Bool(const char* name, std::optional<bool>& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (v->IsBool()) {
      out = v->GetBool();
      return;
    }
    std::optional<int64_t> n;
    if (v->IsString()) {
      absl::string_view s(v->GetString(), v->GetStringLength());
      if (s == "true") out = true;
      if (s == "false") out = false;
      if (out) return;
    }
    Int64(name, n);
    if (n && (*n == 0 || *n == 1)) {
      out = *n == 1;
    } else if (status_.ok()) {
      Fail(name, "a boolean");
    }
  }

  // Milliseconds since the epoch (number or decimal string).
  void Millis(const char* name, std::optional<absl::Time>& out) {
    std::optional<int64_t> ms;
    Int64(name, ms);
    if (!ms) return;
    if (*ms < 0 || *ms > 32503680000000) return Fail(name, "a millisecond time");
    out = absl::FromUnixMillis(*ms);
  }

  const absl::Status& status() const { return status_; }

  void Fail(const char* name, const char* expected) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("field '", path_.empty() ? "" : path_ + ".", name, "' is not ", expected));
    }
  }

 private:
  const rapidjson::Value& object_;
  std::string path_;
  absl::Status status_;
};

}  // namespace storewire::stores::json

#endif  // STOREWIRE_STORES_JSON_FIELDS_H_

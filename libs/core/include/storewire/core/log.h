// Structured JSON logs, one object per line on stderr:
//
//   {"ts":"2026-11-22T10:00:00.123Z","level":"info","service":"ingress",
//    "msg":"stored","request_id":"...","app":"demo"}
//
//   log::Info("stored", {{"request_id", id}, {"app", app}});
//
// Never pass secrets (tokens, keys, webhook secrets) as fields.
// Thread safety: every function may be called from any thread.
#ifndef STOREWIRE_CORE_LOG_H_
#define STOREWIRE_CORE_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace storewire::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using Field = std::pair<absl::string_view, std::string>;
using Fields = std::initializer_list<Field>;

// Sets the service name written in every line and the minimum level
// ("debug", "info", "warn", "error"; anything else means info).
void Init(absl::string_view service, absl::string_view level);

void Write(Level level, absl::string_view msg, Fields fields);
inline void Debug(absl::string_view msg, Fields fields = {}) { Write(Level::kDebug, msg, fields); }
inline void Info(absl::string_view msg, Fields fields = {}) { Write(Level::kInfo, msg, fields); }
inline void Warn(absl::string_view msg, Fields fields = {}) { Write(Level::kWarn, msg, fields); }
inline void Error(absl::string_view msg, Fields fields = {}) { Write(Level::kError, msg, fields); }

// JSON string escaping (quotes not included).
std::string JsonEscape(absl::string_view s);

}  // namespace storewire::log

#endif  // STOREWIRE_CORE_LOG_H_

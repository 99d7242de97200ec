#include "storewire/control/auth.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storewire/crypto/digest.h"

namespace storewire::control {

absl::StatusOr<Authenticator> Authenticator::FromConfig(const ControlConfig& config) {
  std::vector<std::string> tokens;
  for (const std::string& token : config.tokens) {
    if (!token.empty()) tokens.push_back(token);
  }
  for (const std::string& file : config.token_files) {
    std::ifstream in(file);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("cannot read control.token_files entry '", file, "'"));
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string token(absl::StripAsciiWhitespace(text.str()));
    if (token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("control.token_files entry '", file, "' holds no token"));
    }
    tokens.push_back(std::move(token));
  }
  return Authenticator(std::move(tokens));
}

Authenticator::Authenticator(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

bool Authenticator::Accepts(const absl::string_view* authorization) const {
  if (open()) return true;
  if (authorization == nullptr) return false;
  absl::string_view value = absl::StripAsciiWhitespace(*authorization);
  constexpr absl::string_view kBearer = "bearer ";
  if (value.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kBearer.size()), kBearer)) {
    return false;
  }
  absl::string_view presented = absl::StripAsciiWhitespace(value.substr(kBearer.size()));
  bool match = false;
  // Compare with every token (no early exit) so timing says nothing.
  for (const std::string& token : tokens_) {
    match |= crypto::ConstantTimeEquals(presented, token);
  }
  return match;
}

grpc::Status Authenticator::Check(const grpc::ServerContext& context) const {
  if (open()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing bearer token: pass --token or set STOREWIRE_CONTROL_TOKEN "
                        "(one of control.tokens)");
  }
  const absl::string_view value(it->second.data(), it->second.size());
  if (!Accepts(&value)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "invalid bearer token (not one of control.tokens)");
  }
  return grpc::Status::OK;
}

}  // namespace storewire::control

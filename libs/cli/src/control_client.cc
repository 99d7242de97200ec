#include "control_client.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace storewire::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& flag) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("--", flag, ": cannot read '", path, "'"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::unique_ptr<grpc::ClientContext> ControlTarget::Context(absl::Duration deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return context;
}

int ControlTarget::Fail(const grpc::Status& status, std::ostream& err) const {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      err << "storewirectl: cannot reach the " << service << " at " << address
          << ": is it running? (./deploy/local/up)";
      if (!status.error_message().empty()) err << " [" << status.error_message() << "]";
      err << "\n";
      return kExitUnreachable;
    case grpc::StatusCode::UNAUTHENTICATED:
      err << "storewirectl: the " << service << " at " << address
          << " refused the call: " << status.error_message()
          << ". Hint: --token TOKEN or STOREWIRE_CONTROL_TOKEN, one of control.tokens\n";
      return kExitUnauthenticated;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      err << "storewirectl: the " << service << " at " << address
          << " did not answer in time: " << status.error_message() << "\n";
      return kExitUnreachable;
    default:
      err << "storewirectl: the " << service << " at " << address << " answered "
          << status.error_code() << ": " << status.error_message() << "\n";
      return 1;
  }
}

absl::StatusOr<Config> LoadControlConfig(const ParsedArgs& args) {
  std::string path = args.Get("config");
  if (path.empty()) {
    const char* env = std::getenv("STOREWIRE_CONFIG");
    if (env != nullptr && *env != '\0') path = env;
  }
  if (path.empty()) {
    if (!std::filesystem::exists("storewire.yaml")) return Config{};
    path = "storewire.yaml";
  }
  return LoadServiceConfig(path);
}

absl::StatusOr<ControlTarget> Target(const ParsedArgs& args, const Config& config,
                                     const std::string& service) {
  const int port = service == "ingress" ? config.ingress.ports.control_port
                                        : config.normalizer.ports.control_port;
  return TargetAt(args, service, args.Get(service, absl::StrCat(config.control.host, ":", port)));
}

absl::StatusOr<ControlTarget> TargetAt(const ParsedArgs& args, const std::string& service,
                                       const std::string& address) {
  ControlTarget target;
  target.service = service;
  target.address = address;
  target.token = args.Get("token");
  if (target.token.empty()) {
    if (const char* env = std::getenv("STOREWIRE_CONTROL_TOKEN"); env != nullptr) {
      target.token = env;
    }
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  const bool tls =
      !args.Get("tls-ca").empty() || !args.Get("tls-cert").empty() || !args.Get("tls-key").empty();
  if (tls) {
    if (args.Get("tls-cert").empty() != args.Get("tls-key").empty()) {
      return absl::InvalidArgumentError("--tls-cert and --tls-key go together (mutual TLS)");
    }
    grpc::SslCredentialsOptions options;  // no --tls-ca: the system's root certificates
    if (!args.Get("tls-ca").empty()) {
      absl::StatusOr<std::string> ca = ReadFile(args.Get("tls-ca"), "tls-ca");
      if (!ca.ok()) return ca.status();
      options.pem_root_certs = *ca;
    }
    if (!args.Get("tls-cert").empty()) {
      absl::StatusOr<std::string> cert = ReadFile(args.Get("tls-cert"), "tls-cert");
      if (!cert.ok()) return cert.status();
      absl::StatusOr<std::string> key = ReadFile(args.Get("tls-key"), "tls-key");
      if (!key.ok()) return key.status();
      options.pem_cert_chain = *cert;
      options.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(options);
  }
  target.channel = grpc::CreateChannel(target.address, credentials);
  return target;
}

absl::StatusOr<bool> WantsJson(const ParsedArgs& args) {
  const std::string output = args.Get("output", "table");
  if (output == "json") return true;
  if (output == "table") return false;
  return absl::InvalidArgumentError("--output must be table or json");
}

}  // namespace storewire::cli

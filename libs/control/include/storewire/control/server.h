// The gRPC control server every service runs on its control port:
// grpc.health.v1.Health (always open, for probes), server reflection (so
// grpcurl works), and the service's own control services.
//
//   ControlServer server;
//   absl::Status c = server.Configure(config.control);   // tokens, TLS (optional)
//   MyService my_service(server.authenticator());        // calls Check per call
//   server.AddService(&my_service);        // before Start, optional
//   absl::Status s = server.Start("0.0.0.0", 7002);
//   int port = server.port();              // the bound port (0 asks for a free one)
//   ...
//   server.Shutdown();
//
// Configure reads the token files and TLS files (kNotFound / kInvalidArgument
// naming the key); with TLS the port speaks TLS only, and with a client CA it
// requires a client certificate signed by it (mutual TLS). Without any
// Configure the port is plaintext and open.
//
// Thread safety: Configure/Start/Shutdown from one thread; SetServing from any thread.
#ifndef STOREWIRE_CONTROL_SERVER_H_
#define STOREWIRE_CONTROL_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "storewire/control/auth.h"
#include "storewire/core/config.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace storewire::control {

class ControlServer {
 public:
  ControlServer();
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Before Start. Logs a warning when the control API stays open.
  absl::Status Configure(const ControlConfig& config);
  // What the services check each call with; outlives them.
  const Authenticator& authenticator() const { return authenticator_; }

  // The service must outlive the server.
  void AddService(grpc::Service* service);
  absl::Status Start(const std::string& bind_address, int port);
  int port() const { return port_; }
  // Health status of the whole server ("" service name): SERVING or NOT_SERVING.
  void SetServing(bool serving);
  void Shutdown();

 private:
  Authenticator authenticator_;
  std::string tls_cert_pem_, tls_key_pem_, tls_client_ca_pem_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace storewire::control

#endif  // STOREWIRE_CONTROL_SERVER_H_

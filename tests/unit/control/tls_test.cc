// Mutual TLS on the control port: certificates minted here with OpenSSL (a
// CA, a server certificate for "localhost", client certificates from that CA
// and from another one). A client with the right certificate gets through; a
// client without one, or with a certificate of another CA, does not.
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gtest/gtest.h"
#include "storewire/control/ingress_control.h"
#include "storewire/control/server.h"
#include "storewire/testing/process.h"

namespace storewire::control {
namespace {

struct Identity {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string key_pem, cert_pem;
  void Free() {
    EVP_PKEY_free(key);
    X509_free(cert);
    key = nullptr;
    cert = nullptr;
  }
};

std::string Pem(EVP_PKEY* key, X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (key != nullptr) PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  if (cert != nullptr) PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, n);
  BIO_free(bio);
  return out;
}

// Self-signed when `issuer` is null.
Identity Mint(const std::string& cn, const Identity* issuer, bool ca) {
  Identity id;
  id.key = EVP_EC_gen("P-256");
  id.cert = X509_new();
  X509_set_version(id.cert, 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(id.cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(id.cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(id.cert), 3600 * 24);
  X509_set_pubkey(id.cert, id.key);
  X509_NAME* name = X509_get_subject_name(id.cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(id.cert, issuer ? X509_get_subject_name(issuer->cert) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer->cert : id.cert, id.cert, nullptr, nullptr, 0);
  auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(id.cert, ext, -1);
    X509_EXTENSION_free(ext);
  };
  add(NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (!ca) add(NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_sign(id.cert, issuer ? issuer->key : id.key, EVP_sha256());
  id.key_pem = Pem(id.key, nullptr);
  id.cert_pem = Pem(nullptr, id.cert);
  return id;
}

class ControlTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = Mint("test control CA", nullptr, true);
    other_ca_ = Mint("other CA", nullptr, true);
    Identity server = Mint("localhost", &ca_, false);
    client_ = Mint("operator", &ca_, false);
    stranger_ = Mint("stranger", &other_ca_, false);
    const std::string dir = testing::MakeTempDir("tls");
    testing::WriteFile(dir + "/server.pem", server.cert_pem);
    testing::WriteFile(dir + "/server.key", server.key_pem);
    testing::WriteFile(dir + "/ca.pem", ca_.cert_pem);
    server.Free();
    ControlConfig config;
    config.tls_cert_file = dir + "/server.pem";
    config.tls_key_file = dir + "/server.key";
    config.tls_client_ca_file = dir + "/ca.pem";
    ASSERT_TRUE(server_.Configure(config).ok());
    service_ = std::make_unique<IngressControlService>(server_.authenticator(), [] {
      v1::IngressStatusResponse r;
      r.add_apps()->set_app_id("demo");
      return r;
    });
    server_.AddService(service_.get());
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
  }

  void TearDown() override {
    for (Identity* id : {&ca_, &other_ca_, &client_, &stranger_}) id->Free();
  }

  grpc::Status Call(const Identity* client) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ca_.cert_pem;
    if (client != nullptr) {
      tls.pem_cert_chain = client->cert_pem;
      tls.pem_private_key = client->key_pem;
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = v1::IngressControl::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_.port()), grpc::SslCredentials(tls), args));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::IngressStatusResponse response;
    grpc::Status s = stub->Status(&context, {}, &response);
    if (s.ok()) {
      EXPECT_EQ(response.apps(0).app_id(), "demo");
    }
    return s;
  }

  Identity ca_, other_ca_, client_, stranger_;
  ControlServer server_;
  std::unique_ptr<IngressControlService> service_;
};

TEST_F(ControlTlsTest, ClientWithACertificateOfTheConfiguredCaGetsThrough) {
  grpc::Status s = Call(&client_);
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
}

TEST_F(ControlTlsTest, ClientWithoutACertificateIsRefused) {
  EXPECT_EQ(Call(nullptr).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ControlTlsTest, ClientWithACertificateOfAnotherCaIsRefused) {
  EXPECT_EQ(Call(&stranger_).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace storewire::control

// A real nginx on 127.0.0.1 for HTTP tests: started on a free port with a generated config and its
// own prefix directory, serving a directory; stopped (and waited for) by stop() or the destructor.
#pragma once

#include "common/fs.h"
#include "support/fixtures.h"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace lupine::testing {

// A fresh self-signed certificate (PEM) for CN 127.0.0.1, and its RSA key.
void write_self_signed_certificate(const std::filesystem::path& cert_path, const std::filesystem::path& key_path);

// The nginx binary (PATH, then /usr/sbin/nginx), or "" when it is not installed.
std::string nginx_binary();

struct NginxOptions {
  bool tls = false;            // serve https with a fresh self-signed certificate
  std::string extra_server;    // more directives inside server { }, e.g. "location /x { return 503; }"
};

class NginxServer {
 public:
  // Serves `root` (files must be readable by the worker; the config runs workers as root when the
  // test runs as root). Throws lupine::Error with nginx's error log when it does not come up.
  explicit NginxServer(std::filesystem::path root, NginxOptions options = {});
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  void stop();  // fast shutdown, waits for the master to exit; idempotent
  uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT" (https:// with tls), no trailing '/'
  std::string access_log() const;  // what nginx logged so far (one line per request)
  std::string error_log() const;

 private:
  bool start_once();
  std::filesystem::path root_;
  NginxOptions options_;
  TempDir prefix_{"lupine-nginx"};
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
uint16_t free_local_port();

// A socket that listens on 127.0.0.1 but never accepts nor answers: connections complete (the
// kernel's backlog), requests are never answered — for timeout tests. Closed on destruction.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace lupine::testing

// Skips the test when nginx is missing; under LUPINE_REQUIRE_FIXTURES=1 (CI) that is a failure.
#define LUPINE_NGINX_OR_SKIP()                                                                   \
  if (::lupine::testing::nginx_binary().empty()) {                                               \
    if (::lupine::testing::fixtures_required()) FAIL() << "nginx not found (apt-get install nginx-light)"; \
    GTEST_SKIP() << "nginx not found (apt-get install nginx-light)";                             \
  }

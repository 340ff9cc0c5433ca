#include "support/nginx.h"

#include "common/error.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

extern char** environ;

namespace lupine::testing {

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

uint16_t bound_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail_errno("getsockname");
  return ntohs(address.sin_port);
}

bool accepts_connections(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address = loopback(port);
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

// A self-signed certificate for 127.0.0.1 (curl refuses it: that is what the TLS test wants).
void write_self_signed_certificate(const std::filesystem::path& cert_path, const std::filesystem::path& key_path) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  if (!key || !cert) fail("cannot make a test certificate");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  FILE* out = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(out, cert);
  std::fclose(out);
  out = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(cert);
  EVP_PKEY_free(key);
}

std::string nginx_binary() {
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::filesystem::path candidate = std::filesystem::path(rest.substr(0, colon)) / "nginx";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon + 1);
    }
  }
  if (::access("/usr/sbin/nginx", X_OK) == 0) return "/usr/sbin/nginx";
  return "";
}

uint16_t free_local_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail_errno("socket");
  sockaddr_in address = loopback(0);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail_errno("bind");
  uint16_t port = bound_port(fd);
  ::close(fd);
  return port;
}

NginxServer::NginxServer(std::filesystem::path root, NginxOptions options)
    : root_(std::filesystem::absolute(root)), options_(std::move(options)) {
  if (nginx_binary().empty()) fail("nginx is not installed");
  std::filesystem::create_directories(prefix_.path() / "tmp");
  std::filesystem::create_directories(prefix_.path() / "logs");
  if (options_.tls) write_self_signed_certificate(prefix_.path() / "cert.pem", prefix_.path() / "key.pem");
  // The free port may be taken between probing and nginx's bind: try a few.
  for (int attempt = 0; attempt < 5; ++attempt)
    if (start_once()) return;
  fail("nginx did not start; error log:\n{}", error_log());
}

bool NginxServer::start_once() {
  port_ = free_local_port();
  const std::filesystem::path& prefix = prefix_.path();
  std::string tmp = (prefix / "tmp").string();
  std::string config = fmt::format(
      "daemon off;\nmaster_process on;\nworker_processes 1;\n{}pid {}/nginx.pid;\nerror_log {}/logs/error.log info;\n"
      "events {{ worker_connections 64; }}\n"
      "http {{\n"
      "  access_log {}/logs/access.log;\n"
      "  client_body_temp_path {}/body;\n  proxy_temp_path {}/proxy;\n  fastcgi_temp_path {}/fastcgi;\n"
      "  uwsgi_temp_path {}/uwsgi;\n  scgi_temp_path {}/scgi;\n"
      "  types {{ text/plain txt; }}\n  default_type application/octet-stream;\n"
      "  server {{\n    listen 127.0.0.1:{}{};\n    root {};\n{}{}\n  }}\n"
      "}}\n",
      // Workers run as `nobody` by default and could not enter a 0700 temp dir of root's.
      ::geteuid() == 0 ? "user root root;\n" : "", prefix.string(), prefix.string(), prefix.string(), tmp, tmp, tmp,
      tmp, tmp, port_, options_.tls ? " ssl" : "", root_.string(),
      options_.tls ? fmt::format("    ssl_certificate {0}/cert.pem;\n    ssl_certificate_key {0}/key.pem;\n",
                                 prefix.string())
                   : "",
      options_.extra_server);
  write_file_atomic(prefix / "nginx.conf", config);

  std::string binary = nginx_binary();
  std::string out_path = (prefix / "logs" / "nginx.out").string();
  std::vector<std::string> argv{binary, "-p", prefix.string(), "-c", (prefix / "nginx.conf").string(),
                                "-e", (prefix / "logs" / "error.log").string()};
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) fail("cannot run {}", binary);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: most likely the port was taken
      pid_ = -1;
      return false;
    }
    if (accepts_connections(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  return false;
}

void NginxServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // fast shutdown: the master stops its workers and exits
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
  pid_ = -1;
}

NginxServer::~NginxServer() { stop(); }

std::string NginxServer::url() const { return fmt::format("{}://127.0.0.1:{}", options_.tls ? "https" : "http", port_); }

std::string NginxServer::access_log() const {
  try {
    return read_file(prefix_.path() / "logs" / "access.log");
  } catch (const Error&) {
    return "";
  }
}

std::string NginxServer::error_log() const {
  std::string log;
  for (const char* name : {"error.log", "nginx.out"}) {
    try {
      log += read_file(prefix_.path() / "logs" / name);
    } catch (const Error&) {
    }
  }
  return log;
}

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) fail_errno("socket");
  sockaddr_in address = loopback(0);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail_errno("bind");
  if (::listen(fd_, 16) != 0) fail_errno("listen");
  port_ = bound_port(fd_);
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace lupine::testing

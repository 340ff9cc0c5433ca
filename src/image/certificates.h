// apko's certificates.additional (pkg/build/certificates.go, installCertificates): each certificate
// is written to usr/local/share/ca-certificates/<name>-<sha256 of its DER>.crt (0644), and
// appended, followed by a newline as update-ca-certificates separates them, to every CA bundle the
// image has: etc/ssl/certs/ca-certificates.crt and AWS ECS's
// var/lib/ecs/deps/execute-command/certs/tls-ca-bundle.pem. A bundle the image lacks is left
// absent. Java truststores (which apko also extends) are not handled.
#pragma once

#include "image/config.h"

#include <filesystem>

namespace lupine::image {

// Installs `config.certificates` into the image root `root`. A bundle that is a symlink is
// followed within the root; one leading outside it is an error naming it.
void install_certificates(const ImageConfig& config, const std::filesystem::path& root);

}  // namespace lupine::image

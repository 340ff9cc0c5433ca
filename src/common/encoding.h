// Hex and base64 as APK uses them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lupine {

std::string hex_encode(std::string_view bytes);               // lower-case
std::optional<std::string> hex_decode(std::string_view text);  // nullopt on odd length / bad digit

std::string base64_encode(std::string_view bytes);  // standard alphabet, '=' padded
// Lenient decoding, as apk-tools' apk_blob_pull_base64: non-zero trailing bits in the last
// character are accepted (fixtures contain e.g. "Q1hdUpqRv5mYgJEqW52UmVsvmyysF=").
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace lupine

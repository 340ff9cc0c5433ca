#include "apk/tar_pax.h"

#include "common/error.h"

#include <fmt/format.h>

#include <algorithm>

namespace lupine::apk {

namespace {

size_t decimal_digits(size_t value) {
  size_t digits = 1;
  for (; value >= 10; value /= 10) ++digits;
  return digits;
}

}  // namespace

std::string pax_record(std::string_view key, std::string_view value) {
  const size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t length = body + decimal_digits(body);
  // Adding the prefix may itself add a digit (97 + 2 = 99 fits, 98 + 2 = 100 does not): iterate
  // until the length is consistent with its own digit count.
  while (length != body + decimal_digits(length)) length = body + decimal_digits(length);
  std::string record = fmt::format("{} ", length);
  record.append(key);
  record += '=';
  record.append(value);
  record += '\n';
  return record;
}

PaxRecords parse_pax_records(std::string_view data, const std::string& context) {
  auto malformed = [&](std::string_view why) -> void {
    fail("{}: malformed PAX record: {}", context, why);
  };
  PaxRecords records;
  while (!data.empty()) {
    if (std::all_of(data.begin(), data.end(), [](char c) { return c == '\0'; })) break;
    size_t space = data.find(' ');
    if (space == std::string_view::npos || space == 0 || space > 19) malformed("missing length");
    uint64_t length = 0;
    for (char c : data.substr(0, space)) {
      if (c < '0' || c > '9') malformed(fmt::format("length '{}' is not a decimal number", data.substr(0, space)));
      length = length * 10 + static_cast<uint64_t>(c - '0');
    }
    if (length > data.size()) malformed(fmt::format("length {} exceeds the {} bytes left", length, data.size()));
    if (length < space + 3) malformed(fmt::format("length {} is too short", length));
    std::string_view record = data.substr(0, length);
    if (record.back() != '\n') malformed(fmt::format("record of length {} does not end with a newline", length));
    std::string_view body = record.substr(space + 1, length - space - 2);
    size_t equals = body.find('=');
    if (equals == std::string_view::npos || equals == 0) malformed("record has no key=value");
    records.emplace_back(std::string(body.substr(0, equals)), std::string(body.substr(equals + 1)));
    data.remove_prefix(length);
  }
  return records;
}

}  // namespace lupine::apk

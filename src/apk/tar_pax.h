// PAX extended header records (POSIX.1-2001, pax "Extended Header"): each record is
// "<length> <key>=<value>\n" where the decimal length counts the whole record, its own digits
// included. Values are arbitrary bytes (xattr values may hold NULs or newlines): the length, not
// the newline, delimits a record.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::apk {

using PaxRecords = std::vector<std::pair<std::string, std::string>>;

// One record. The length prefix is found by fixed point: "95-byte key=value" gives "99 ...", one
// byte more rolls over to a three-digit prefix and a 101-byte record.
std::string pax_record(std::string_view key, std::string_view value);

// The records of an `x` or `g` header's data, in order. Throws lupine::Error
// "<context>: malformed PAX record: <why>" on a bad length, a missing '=' or newline. Trailing NUL
// bytes after the last record are tolerated (some writers pad the data).
PaxRecords parse_pax_records(std::string_view data, const std::string& context);

}  // namespace lupine::apk

// APK package versions: validation, ordering and operator matching with apk-tools' semantics
// (src/version.c). Grammar: number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lupine::apk {

// Comparison results and dependency operator masks, bit-for-bit as apk-tools' APK_VERSION_* and
// APK_DEPMASK_*. A comparison returns exactly one of EQUAL/LESS/GREATER; an operator is a set of
// acceptable results, plus FUZZY (prefix match) and CONFLICT (negation).
inline constexpr int EQUAL = 1;
inline constexpr int LESS = 2;
inline constexpr int GREATER = 4;
inline constexpr int FUZZY = 8;
inline constexpr int CONFLICT = 16;
inline constexpr int ANY = EQUAL | LESS | GREATER;  // no version constraint
inline constexpr int CHECKSUM = LESS | GREATER;     // "><": the version is a package identity (Q1...)

bool version_valid(std::string_view version);

// LESS, EQUAL or GREATER. Invalid versions are still ordered: comparison stops where either
// string stops parsing. Numbers are uint64 and, as apk-tools' apk_blob_pull_uint, wrap modulo
// 2^64 when longer (so "18446744073709551616" compares equal to "0").
int version_compare(std::string_view a, std::string_view b);
// With `fuzzy`, `a` is EQUAL when `b` is a token prefix of it ("3.6.9" ~ "3.6").
int version_compare_fuzzy(std::string_view a, std::string_view b, bool fuzzy);

// Does `a` stand in relation `op_mask` to `b`? ANY always holds; CONFLICT negates.
bool version_match(std::string_view a, int op_mask, std::string_view b);

// Any combination of the characters < > = ~, as apk-tools' apk_version_result_mask_blob
// ('~' counts as "=~"); nullopt when empty or another character appears.
std::optional<int> version_op_mask(std::string_view op);

// The spelled operators only: < <= = >= > ~ =~ <~ >~ ><, each optionally prefixed by '!'
// (adds CONFLICT). nullopt otherwise.
std::optional<int> parse_version_op(std::string_view op);

// apk-tools' spelling of a mask (CONFLICT ignored): "<", "<=", "~", "><", ... and "" for ANY.
// Masks apk-tools prints as "?" are composed from their characters instead (< > ~ → "<>~").
std::string version_op_string(int mask);

}  // namespace lupine::apk

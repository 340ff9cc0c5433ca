# The queries of apk-info (melange-recipes/test-checks/apk): apk-tools 2.14's `apk info` and
# `apk list`, answered from apk's installed database (POSIX awk). Output follows apk-tools' app_info.c
# and app_list.c line for line: headers "NAME-VERSION contains:" at verbosity 1, none at 0 (-q),
# "NAME: " prefixes at 2 (-v), and the empty line apk prints after each section.
#
# Variables (awk -v): action (show, exists, who_owns, all_names or list: the applet and its mode);
# sections, the info sections asked for, in apk's order (description url size depends provides
# rdepends contents triggers install_if rinstall_if replaces license); verbosity; triggers_db, the
# path of apk's triggers file ("" when none). The operands, joined by newlines, come in the
# environment (APK_INFO_OPERANDS).
# Database: one paragraph per package; P: name, V: version, A: arch, T: description, U: url,
# L: license, o: origin, I: installed size, C: checksum, D: depends, p: provides, i: install_if,
# r: replaces (each a space-separated list, written as apk writes dependencies), F: a directory,
# R: a file in the last F: directory.

function flush() {
  if (cur == "") return
  n++
  name[n] = cur; ver[n] = fields["V"]; arch[n] = fields["A"]; desc[n] = fields["T"]
  url[n] = fields["U"]; lic[n] = fields["L"]; origin[n] = fields["o"]; isize[n] = fields["I"] + 0
  csum[n] = fields["C"]; deps[n] = fields["D"]; prov[n] = fields["p"]; iif[n] = fields["i"]
  repl[n] = fields["r"]; files[n] = filelist
  by_name[cur] = n
  cur = ""; filelist = ""; dir = ""
  split("", fields)
}

# The name of a dependency or provides entry: "so:libc.so.6=6" -> "so:libc.so.6", "!foo" -> "foo".
function dep_name(dep) {
  sub(/^!/, "", dep)
  sub(/[<>=~].*$/, "", dep)
  return dep
}

function provides_name(i, want,    list, k, count) {
  count = split(prov[i], list, " ")
  for (k = 1; k <= count; k++)
    if (dep_name(list[k]) == want) return 1
  return 0
}

# apk's wildcards in a name (fnmatch's * and ?) as an anchored regular expression.
function glob_regex(pattern,    out, k, c) {
  out = "^"
  for (k = 1; k <= length(pattern); k++) {
    c = substr(pattern, k, 1)
    if (c == "*") out = out ".*"
    else if (c == "?") out = out "."
    else if (c ~ /[][\\.^$+(){}|]/) out = out "\\" c
    else out = out c
  }
  return out "$"
}

# Packages matching an operand, as apk_db_foreach_sorted_providers: the package of that name, or
# those providing it; with wildcards, by name or a provided name.
function matches(i, operand,    list, k, count, re) {
  if (operand !~ /[*?]/) return name[i] == operand || provides_name(i, operand)
  re = glob_regex(operand)
  if (name[i] ~ re) return 1
  count = split(prov[i], list, " ")
  for (k = 1; k <= count; k++)
    if (dep_name(list[k]) ~ re) return 1
  return 0
}

function pkgver(i) { return name[i] "-" ver[i] }

# Sorted package indexes into order[1..count] (apk prints in name order; few packages, so
# insertion sort).
function sort_packages(selected, count,    a, b, t) {
  for (a = 2; a <= count; a++) {
    t = selected[a]
    for (b = a - 1; b >= 1 && (name[selected[b]] > name[t] || (name[selected[b]] == name[t] && ver[selected[b]] > ver[t])); b--)
      selected[b + 1] = selected[b]
    selected[b + 1] = t
  }
}

# apk_get_human_size: divide by 1024 while 10000 or more.
function human_size(size,    units, u) {
  split("B KiB MiB GiB TiB", units, " ")
  u = 1
  while (size >= 10000 && u < 5) { size = int(size / 1024); u++ }
  return size " " units[u]
}

function text_section(i, label, value) {
  if (verbosity > 1) printf "%s: %s\n", name[i], value
  else printf "%s %s:\n%s\n\n", pkgver(i), label, value
}

# info_print_dep_array: a header at verbosity 1, "NAME: " at 2 and more, one entry per line (a
# space at 2 and more), then the section's empty line.
function list_section(i, label, entries,    list, k, count, sep) {
  sep = verbosity > 1 ? " " : "\n"
  if (verbosity == 1) printf "%s %s:\n", pkgver(i), label
  if (verbosity > 1) printf "%s: ", name[i]
  count = split(entries, list, " ")
  for (k = 1; k <= count; k++) printf "%s%s", list[k], sep
  printf "\n"
}

function required_by(i,    j, list, k, count, out) {
  out = ""
  for (j = 1; j <= n; j++) {
    count = split(deps[j], list, " ")
    for (k = 1; k <= count; k++) {
      if (list[k] ~ /^!/) continue
      if (dep_name(list[k]) == name[i] || provides_name(i, dep_name(list[k]))) {
        out = out " " pkgver(j)
        break
      }
    }
  }
  return out
}

function install_if_of(i,    j, list, k, count, out) {
  out = ""
  for (j = 1; j <= n; j++) {
    count = split(iif[j], list, " ")
    for (k = 1; k <= count; k++)
      if (dep_name(list[k]) == name[i]) { out = out " " pkgver(j); break }
  }
  return out
}

function triggers_of(i,    line, list, count, k, out) {
  out = ""
  if (triggers_db == "" || csum[i] == "") return out
  while ((getline line < triggers_db) > 0) {
    count = split(line, list, " ")
    if (list[1] != csum[i]) continue
    for (k = 2; k <= count; k++) out = out " " list[k]
  }
  close(triggers_db)
  return out
}

function contents_section(i,    list, k, count) {
  if (verbosity == 1) printf "%s contains:\n", pkgver(i)
  count = split(files[i], list, "\n")
  for (k = 1; k <= count; k++) {
    if (list[k] == "") continue
    if (verbosity > 1) printf "%s: ", name[i]
    print list[k]
  }
  printf "\n"
}

function show(i,    s, wanted, list, k, count) {
  for (s = 1; s <= nsections; s++) {
    wanted = section[s]
    if (wanted == "description") text_section(i, "description", desc[i])
    else if (wanted == "url") text_section(i, "webpage", url[i])
    else if (wanted == "license") text_section(i, "license", lic[i])
    else if (wanted == "size") text_section(i, "installed size", human_size(isize[i]))
    else if (wanted == "depends") list_section(i, "depends on", deps[i])
    else if (wanted == "provides") list_section(i, "provides", prov[i])
    else if (wanted == "install_if") list_section(i, "has auto-install rule", iif[i])
    else if (wanted == "replaces") list_section(i, "replaces", repl[i])
    else if (wanted == "rdepends") list_section(i, "is required by", required_by(i))
    else if (wanted == "rinstall_if") list_section(i, "affects auto-installation of", install_if_of(i))
    else if (wanted == "contents") contents_section(i)
    else if (wanted == "triggers") {
      if (verbosity == 1) printf "%s triggers:\n", pkgver(i)
      count = split(triggers_of(i), list, " ")
      for (k = 1; k <= count; k++) printf "%s%s\n", (verbosity > 1 ? name[i] ": trigger " : ""), list[k]
      printf "\n"
    }
  }
}

# app_list.c's print_package for an installed package: the name alone at -q.
function list_line(i) {
  if (verbosity <= 0) { print name[i]; return }
  printf "%s %s {%s} (%s) [installed]\n", pkgver(i), arch[i], (origin[i] == "" ? name[i] : origin[i]), lic[i]
  if (verbosity > 1) printf "  %s\n", desc[i]
  if (verbosity > 2) printf "  <%s>\n", url[i]
}

# info_exists: each operand names an installed package or something one provides; apk prints the
# package's name (not at -q) and counts the operands that are not installed.
function exists(operand,    i) {
  if (operand ~ /[<>=~]/) {
    printf "apk: %s: version constraints are not supported by apk-info (lupine's read-only apk)\n", operand > "/dev/stderr"
    errors++
    return
  }
  for (i = 1; i <= n; i++)
    if (name[i] == operand || provides_name(i, operand)) {
      if (verbosity >= 1) print name[i]
      return
    }
  errors++
}

# info_who_owns: the package owning a path (relative paths are made absolute by the caller).
function who_owns(path,    i, list, k, count, rel, found) {
  rel = path
  sub(/^\/+/, "", rel)
  for (i = 1; i <= n && !found; i++) {
    count = split(files[i], list, "\n")
    for (k = 1; k <= count; k++)
      if (list[k] == rel) { found = i; break }
  }
  if (!found) {
    printf "ERROR: %s: Could not find owner package\n", path > "/dev/stderr"
    errors++
    return
  }
  # apk -q prints the owners as one dependency list, each name once.
  if (verbosity < 1) { if (!(name[found] in owned)) owners = owners (owners == "" ? "" : " ") name[found]; owned[name[found]] = 1 }
  else printf "%s is owned by %s\n", path, pkgver(found)
}

/^$/ { flush(); next }
/^P:/ { cur = substr($0, 3); next }
/^F:/ { dir = substr($0, 3); next }
/^R:/ { filelist = filelist (dir == "" ? "" : dir "/") substr($0, 3) "\n"; next }
/^[A-Za-z]:/ { fields[substr($0, 1, 1)] = substr($0, 3); next }

END {
  flush()
  nsections = split(sections, section, " ")
  nargs = split(ENVIRON["APK_INFO_OPERANDS"], operand, "\n")
  if (nargs > 0 && operand[nargs] == "") nargs--
  errors = 0
  if (action == "exists") {
    for (a = 1; a <= nargs; a++) exists(operand[a])
  } else if (action == "who_owns") {
    owners = ""
    for (a = 1; a <= nargs; a++) who_owns(operand[a])
    if (owners != "") print owners
  } else if (action == "all_names" || (action == "list" && nargs == 0)) {
    for (i = 1; i <= n; i++) selected[i] = i
    sort_packages(selected, n)
    for (s = 1; s <= n; s++) {
      i = selected[s]
      if (action == "list") {
        list_line(i)
      } else {
        printf "%s%s%s\n", name[i], (verbosity > 1 ? "-" ver[i] : ""), (verbosity > 2 ? " - " desc[i] : "")
      }
    }
  } else {
    # show (info with operands) and list with patterns: each operand's packages, once, in order.
    count = 0
    for (a = 1; a <= nargs; a++) {
      found = 0
      for (i = 1; i <= n; i++) {
        hit = action == "list" ? name[i] ~ glob_regex(operand[a]) : matches(i, operand[a])
        if (!hit) continue
        found = 1
        if (!(i in chosen)) { chosen[i] = 1; selected[++count] = i }
      }
      if (!found && action == "show") errors++
    }
    sort_packages(selected, count)
    for (s = 1; s <= count; s++) {
      i = selected[s]
      if (action == "show") show(i)
      else list_line(i)
    }
  }
  exit errors > 255 ? 255 : errors
}

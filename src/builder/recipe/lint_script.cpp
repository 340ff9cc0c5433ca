#include "builder/recipe/lint_script.h"

#include <fnmatch.h>

#include <algorithm>
#include <optional>
#include <set>

namespace lupine::builder {

namespace {

// ---- a small shell tokenizer: words (quotes removed) and operators ----

struct Token {
  std::string text;
  bool op = false;
};

bool is_operator_start(char c) { return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>'; }

// Tokens of one logical line; `heredocs` receives the delimiters of here-documents it opens.
std::vector<Token> tokenize(std::string_view line, std::vector<std::pair<std::string, bool>>& heredocs) {
  std::vector<Token> tokens;
  size_t i = 0;
  bool expect_heredoc = false;
  bool heredoc_strip_tabs = false;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (c == '#') break;  // a comment (at the start of a word)
    // Operators, including redirections with a file descriptor number (2>, 2>>).
    size_t digits = 0;
    while (i + digits < line.size() && std::isdigit(static_cast<unsigned char>(line[i + digits]))) ++digits;
    bool fd_redirect = digits > 0 && i + digits < line.size() && (line[i + digits] == '>' || line[i + digits] == '<');
    if (fd_redirect || is_operator_start(c)) {
      i += digits;
      char first = line[i++];
      std::string op(1, first);
      if (i < line.size()) {
        char next = line[i];
        if ((first == '&' && (next == '&' || next == '>')) || (first == '|' && next == '|') ||
            (first == '>' && (next == '>' || next == '|' || next == '&')) || (first == '<' && next == '<') ||
            (first == ';' && next == ';')) {
          op += next;
          ++i;
        }
      }
      if (op == "<<" && i < line.size() && line[i] == '-') {
        op += '-';
        ++i;
      }
      if (op == "<<" || op == "<<-") {
        expect_heredoc = true;
        heredoc_strip_tabs = op == "<<-";
      }
      tokens.push_back({op, true});
      continue;
    }
    // A word.
    std::string word;
    while (i < line.size()) {
      c = line[i];
      if (c == ' ' || c == '\t' || is_operator_start(c)) break;
      if (c == '\\' && i + 1 < line.size()) {
        word += line[i + 1];
        i += 2;
      } else if (c == '\'') {
        size_t end = line.find('\'', i + 1);
        if (end == std::string_view::npos) end = line.size();
        word.append(line.substr(i + 1, end - i - 1));
        i = end + 1;
      } else if (c == '"') {
        ++i;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < line.size()) ++i;
          word += line[i++];
        }
        ++i;
      } else if (c == '$' && i + 1 < line.size() && line[i + 1] == '(') {
        // $(...) kept whole, nested parentheses counted.
        int depth = 0;
        size_t start = i;
        for (++i; i < line.size(); ++i) {
          if (line[i] == '(') ++depth;
          else if (line[i] == ')' && --depth == 0) {
            ++i;
            break;
          }
        }
        word.append(line.substr(start, i - start));
      } else if (c == '`') {
        size_t end = line.find('`', i + 1);
        if (end == std::string_view::npos) end = line.size();
        word.append(line.substr(i, end - i + 1));
        i = end + 1;
      } else {
        word += c;
        ++i;
      }
    }
    if (expect_heredoc) {
      heredocs.emplace_back(word, heredoc_strip_tabs);
      expect_heredoc = false;
    }
    tokens.push_back({word, false});
  }
  return tokens;
}

struct LogicalLine {
  std::string text;
  size_t index = 0;  // 0-based line in the script where it starts
};

// Joins backslash continuations and drops here-document bodies.
std::vector<std::pair<LogicalLine, std::vector<Token>>> script_commands(std::string_view script) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= script.size();) {
    size_t end = script.find('\n', start);
    if (end == std::string_view::npos) end = script.size();
    lines.push_back(script.substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::pair<LogicalLine, std::vector<Token>>> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    LogicalLine logical{std::string(lines[i]), i};
    while (!logical.text.empty() && logical.text.back() == '\\' && i + 1 < lines.size()) {
      logical.text.pop_back();
      logical.text += ' ';
      logical.text += lines[++i];
    }
    std::vector<std::pair<std::string, bool>> heredocs;
    std::vector<Token> tokens = tokenize(logical.text, heredocs);
    out.emplace_back(std::move(logical), std::move(tokens));
    for (const auto& [delimiter, strip_tabs] : heredocs) {
      while (i + 1 < lines.size()) {
        std::string_view body = lines[++i];
        if (strip_tabs) body.remove_prefix(std::min(body.find_first_not_of('\t'), body.size()));
        std::string_view trimmed = body.substr(0, body.find_last_not_of(" \t") + 1);
        if (trimmed == delimiter) break;
      }
    }
  }
  return out;
}

// ---- output paths ----

struct OutputPath {
  std::string package;
  std::string rel;
  bool trailing_slash = false;
};

struct PackageContext {
  std::string main;
  std::string current;
  bool subpackage = false;
};

std::string normalize(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(i, end - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = end + 1;
  }
  std::string out;
  for (auto part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::optional<OutputPath> output_path(std::string_view word, const PackageContext& context) {
  struct Prefix {
    std::string_view text;
    int which;  // 0 main, 1 current, 2 subpackage only, 3 named
  };
  static constexpr Prefix prefixes[] = {
      {"${{targets.destdir}}", 0},       {"${{targets.contextdir}}", 1},       {"${{targets.subpkgdir}}", 2},
      {"${{targets.outdir}}/", 3},       {"/home/build/melange-out/", 3},     {"${{targets.package.", 4},
  };
  for (const Prefix& prefix : prefixes) {
    if (!word.starts_with(prefix.text)) continue;
    std::string_view rest = word.substr(prefix.text.size());
    OutputPath out;
    switch (prefix.which) {
      case 0: out.package = context.main; break;
      case 1: out.package = context.current; break;
      case 2:
        if (!context.subpackage) return std::nullopt;
        out.package = context.current;
        break;
      case 3: {
        size_t slash = rest.find('/');
        out.package = std::string(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
        break;
      }
      case 4: {
        size_t close = rest.find("}}");
        if (close == std::string_view::npos) return std::nullopt;
        out.package = std::string(rest.substr(0, close));
        rest = rest.substr(close + 2);
        break;
      }
    }
    if (out.package.empty() || out.package.find('$') != std::string::npos) return std::nullopt;
    if (!rest.empty() && rest.front() != '/') return std::nullopt;  // ${{targets.destdir}}-foo: another path
    out.trailing_slash = !rest.empty() && rest.back() == '/';
    out.rel = normalize(rest);
    return out;
  }
  return std::nullopt;
}

std::string basename(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// ---- commands ----

// Splits option words from operands; `with_value` lists options that take the next word.
struct Arguments {
  std::vector<std::string> operands;
  std::vector<std::pair<std::string, std::string>> options;  // option, value ("" if none)
  bool has(std::string_view flag_letter) const {
    for (const auto& [option, value] : options) {
      if (option.size() >= 2 && option[0] == '-' && option[1] != '-' &&
          option.find(flag_letter) != std::string::npos)
        return true;
      if (option == flag_letter) return true;
    }
    return false;
  }
  std::string value(std::string_view short_letter, std::string_view long_name) const {
    for (const auto& [option, value] : options) {
      if (option.starts_with(long_name) && !long_name.empty()) return value;
      if (option.size() >= 2 && option[0] == '-' && option[1] != '-' && option.back() == short_letter[0]) return value;
    }
    return "";
  }
};

Arguments parse_arguments(const std::vector<std::string>& words, std::string_view with_value) {
  Arguments out;
  bool options_done = false;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (options_done || word.size() < 2 || word[0] != '-') {
      out.operands.push_back(word);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    if (word.starts_with("--")) {
      size_t equals = word.find('=');
      out.options.emplace_back(word.substr(0, equals), equals == std::string::npos ? "" : word.substr(equals + 1));
      continue;
    }
    // -m755 / -m 755: the value is attached or follows when the last letter takes one.
    char last = word.back();
    size_t value_letter = word.find_first_of(with_value, 1);
    if (value_letter != std::string::npos && value_letter + 1 < word.size()) {
      out.options.emplace_back(word.substr(0, value_letter + 1), word.substr(value_letter + 1));
    } else if (with_value.find(last) != std::string_view::npos && i + 1 < words.size()) {
      out.options.emplace_back(word, words[++i]);
    } else {
      out.options.emplace_back(word, "");
    }
  }
  return out;
}

class Analyzer {
 public:
  std::vector<ScriptEffect> effects;

  void add_write(const OutputPath& path, ScriptEffect::Kind kind, const std::string& command, const Location& where,
                 std::string mode = {}) {
    effects.push_back({kind, path.package, path.rel, std::move(mode), command, where});
  }

  // A later rm/rmdir/mv of `pattern` (a glob) cancels earlier writes at or below a matching path.
  void remove(const OutputPath& pattern) {
    std::erase_if(effects, [&](const ScriptEffect& effect) {
      if (effect.package != pattern.package) return false;
      if (pattern.rel.empty()) return true;
      std::string path = effect.path;
      while (!path.empty()) {
        if (fnmatch(pattern.rel.c_str(), path.c_str(), FNM_PATHNAME) == 0) return true;
        size_t slash = path.rfind('/');
        path = slash == std::string::npos ? "" : path.substr(0, slash);
      }
      return false;
    });
  }

  void command(std::vector<std::string> words, const std::vector<std::string>& redirects, const PackageContext& context,
               const Location& where) {
    for (const std::string& target : redirects)
      if (auto path = output_path(target, context)) add_write(*path, ScriptEffect::Kind::file, "redirection", where);
    // Leading assignments and wrappers.
    while (!words.empty() && (words[0].find('=') != std::string::npos && words[0][0] != '-' &&
                              words[0].find('/') == std::string::npos))
      words.erase(words.begin());
    while (!words.empty() && (words[0] == "sudo" || words[0] == "env" || words[0] == "command" || words[0] == "exec" ||
                              words[0] == "then" || words[0] == "else" || words[0] == "do" || words[0] == "{" ||
                              words[0] == "!" || words[0] == "if" || words[0] == "while" || words[0] == "until" ||
                              words[0] == "elif" || words[0] == "time"))
      words.erase(words.begin());
    if (words.empty()) return;
    std::string name = basename(words[0]);
    auto paths = [&](const std::vector<std::string>& operands) {
      std::vector<OutputPath> out;
      for (const auto& operand : operands)
        if (auto path = output_path(operand, context)) out.push_back(*path);
      return out;
    };
    if (name == "mkdir") {
      Arguments args = parse_arguments(words, "m");
      for (const auto& path : paths(args.operands)) add_write(path, ScriptEffect::Kind::directory, name, where);
    } else if (name == "install") {
      Arguments args = parse_arguments(words, "mogtSZ");
      std::string mode = args.value("m", "--mode");
      if (args.has("d")) {
        for (const auto& path : paths(args.operands)) add_write(path, ScriptEffect::Kind::directory, name, where, mode);
        return;
      }
      copy_like(name, args, context, where, ScriptEffect::Kind::file, mode);
    } else if (name == "cp" || name == "mv") {
      Arguments args = parse_arguments(words, "tS");
      copy_like(name, args, context, where, ScriptEffect::Kind::unknown, "");
      if (name == "mv") {
        std::vector<std::string> sources = args.operands;
        if (args.value("t", "--target-directory").empty() && !sources.empty()) sources.pop_back();
        for (const auto& path : paths(sources)) remove(path);
      }
    } else if (name == "ln") {
      Arguments args = parse_arguments(words, "tS");
      if (args.operands.size() < 2) return;
      auto link = output_path(args.operands.back(), context);
      if (!link) return;
      if (link->trailing_slash) link->rel += "/" + basename(args.operands.front());
      add_write(*link, args.has("s") ? ScriptEffect::Kind::symlink : ScriptEffect::Kind::file, name, where);
    } else if (name == "touch" || name == "tee") {
      Arguments args = parse_arguments(words, "dtr");
      for (const auto& path : paths(args.operands)) add_write(path, ScriptEffect::Kind::file, name, where);
    } else if (name == "mknod") {
      Arguments args = parse_arguments(words, "mZ");
      if (!args.operands.empty())
        if (auto path = output_path(args.operands.front(), context))
          add_write(*path, ScriptEffect::Kind::file, name, where);
    } else if (name == "rm" || name == "rmdir") {
      Arguments args = parse_arguments(words, "");
      for (const auto& path : paths(args.operands)) remove(path);
    } else if (name == "chmod") {
      Arguments args = parse_arguments(words, "");
      if (args.operands.size() < 2) return;
      std::string mode = args.operands.front();
      for (size_t k = 1; k < args.operands.size(); ++k)
        if (auto path = output_path(args.operands[k], context))
          add_write(*path, ScriptEffect::Kind::chmod, name, where, mode);
    }
  }

 private:
  // install / cp / mv SOURCE... DEST, or -t DIR SOURCE...
  void copy_like(const std::string& name, const Arguments& args, const PackageContext& context, const Location& where,
                 ScriptEffect::Kind kind, const std::string& mode) {
    std::string target_dir = args.value("t", "--target-directory");
    std::vector<std::string> sources = args.operands;
    std::string dest = target_dir;
    bool into_directory = !target_dir.empty();
    if (dest.empty()) {
      if (sources.size() < 2) return;
      dest = sources.back();
      sources.pop_back();
    }
    auto path = output_path(dest, context);
    if (!path) return;
    if (sources.size() > 1 || path->trailing_slash) into_directory = true;
    if (!into_directory) {
      add_write(*path, kind, name, where, mode);
      return;
    }
    for (const std::string& source : sources) {
      OutputPath entry = *path;
      entry.rel = entry.rel.empty() ? basename(source) : entry.rel + "/" + basename(source);
      add_write(entry, kind, name, where, mode);
    }
  }
};

void analyze_script(const Text& runs, const PackageContext& context, Analyzer& analyzer) {
  for (auto& [line, tokens] : script_commands(runs.value)) {
    Location where = locate_line(runs, line.index);
    std::vector<std::string> words;
    std::vector<std::string> redirects;
    auto flush = [&] {
      analyzer.command(words, redirects, context, where);
      words.clear();
      redirects.clear();
    };
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& token = tokens[i];
      if (!token.op) {
        words.push_back(token.text);
        continue;
      }
      bool redirect_out = token.text.find('>') != std::string::npos && token.text != ">&";
      bool redirect_in = token.text[0] == '<' || token.text.back() == '<';
      if ((redirect_out || redirect_in) && i + 1 < tokens.size() && !tokens[i + 1].op) {
        if (redirect_out && !token.text.ends_with("&")) redirects.push_back(tokens[i + 1].text);
        ++i;
        continue;
      }
      flush();
    }
    flush();
  }
}

void analyze_steps(const std::vector<Step>& steps, const PackageContext& context, Analyzer& analyzer) {
  for (const Step& step : steps) {
    if (step.uses.value.empty() && !step.runs.value.empty()) analyze_script(step.runs, context, analyzer);
    analyze_steps(step.pipeline, context, analyzer);
  }
}

}  // namespace

std::vector<ScriptEffect> analyze_scripts(const Recipe& expanded) {
  Analyzer analyzer;
  const std::string& main = expanded.package.name.value;
  analyze_steps(expanded.pipeline, {main, main, false}, analyzer);
  for (const Subpackage& sub : expanded.subpackages) analyze_steps(sub.pipeline, {main, sub.name.value, true}, analyzer);
  return std::move(analyzer.effects);
}

}  // namespace lupine::builder

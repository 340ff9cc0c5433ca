// apk-tools' indented, wrapped listing (src/print.c apk_print_indented*), shared by the
// solver's reports and the apk-tools spec runner (index-layer internal).
#pragma once

#include <string>

namespace lupine::index::solver_detail {

// Items follow a group text on its line, separated by spaces; an item that would reach
// `width` starts a new line indented under the first item.
class IndentedWriter {
 public:
  IndentedWriter(std::string& out, size_t width) : out_(out), width_(width) {}

  // apk_print_indented_group: `text` starts the group; with indent 0 items align one column
  // after it. A text ending in '\n' leaves the cursor at the line start.
  void group(const std::string& text, size_t indent = 0) {
    out_ += text;
    x_ = text.size();
    indent_ = indent ? indent : x_ + 1;
    if (!text.empty() && text.back() == '\n') x_ = 0;
  }
  void item(const std::string& text) {
    if (x_ <= indent_) {
      out_.append(indent_ - x_, ' ');
      out_ += text;
      x_ = indent_ + text.size();
    } else if (x_ + text.size() + 1 >= width_) {
      out_ += '\n';
      out_.append(indent_, ' ');
      out_ += text;
      x_ = indent_ + text.size();
    } else {
      out_ += ' ';
      out_ += text;
      x_ += text.size() + 1;
    }
  }
  void end() {
    if (x_) out_ += '\n';
    x_ = indent_ = 0;
  }
  bool started() const { return indent_ != 0; }

 private:
  std::string& out_;
  size_t width_;
  size_t x_ = 0, indent_ = 0;
};

}  // namespace lupine::index::solver_detail

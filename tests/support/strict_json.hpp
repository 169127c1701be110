// SPDX-License-Identifier: MIT
// A strict JSON (RFC 8259) validator for test output: one value, nothing but whitespace around
// it; no NaN, Infinity, inf or nan tokens, no leading zeros, no trailing commas, no control
// characters or invalid escapes in strings, no duplicate keys in an object. Standard library
// only, so every test binary can use it. Nothing here uses streamreg code.
#pragma once

#include <cstddef>      // std::size_t
#include <set>          // the keys of one object
#include <string>       // std::string
#include <string_view>  // std::string_view

namespace streamreg_test {

/// Validates `text` as exactly one JSON value. Returns an empty string when it is valid,
/// otherwise the reason and the byte offset ("offset 12: number expected").
class strict_json {
 public:
  static std::string check(std::string_view text) {
    strict_json p(text);
    p.ws();
    if (!p.value(0)) return p.error_;
    p.ws();
    if (p.at_ != text.size()) return p.fail("trailing characters after the value"), p.error_;
    return {};
  }
  static bool valid(std::string_view text) { return check(text).empty(); }

 private:
  explicit strict_json(std::string_view t) : t_(t) {}

  bool fail(const char* why) {
    if (error_.empty()) error_ = "offset " + std::to_string(at_) + ": " + why;
    return false;
  }
  bool end() const { return at_ >= t_.size(); }
  char peek() const { return end() ? '\0' : t_[at_]; }
  void ws() {
    while (!end() && (t_[at_] == ' ' || t_[at_] == '\t' || t_[at_] == '\n' || t_[at_] == '\r'))
      ++at_;
  }
  bool literal(std::string_view word) {
    if (t_.substr(at_, word.size()) != word) return fail("invalid literal");
    at_ += word.size();
    return true;
  }

  bool value(int depth) {
    if (depth > 64) return fail("nesting too deep");
    switch (peek()) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': {
        std::string ignored;
        return string(ignored);
      }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  bool object(int depth) {
    ++at_;  // {
    ws();
    if (peek() == '}') return ++at_, true;
    std::set<std::string> keys;
    for (;;) {
      std::string key;
      if (peek() != '"') return fail("object key (a string) expected");
      if (!string(key)) return false;
      if (!keys.insert(key).second) return fail("duplicate key");
      ws();
      if (peek() != ':') return fail("':' expected");
      ++at_;
      ws();
      if (!value(depth + 1)) return false;
      ws();
      if (peek() == ',') {
        ++at_;
        ws();
        continue;
      }
      if (peek() == '}') return ++at_, true;
      return fail("',' or '}' expected");
    }
  }

  bool array(int depth) {
    ++at_;  // [
    ws();
    if (peek() == ']') return ++at_, true;
    for (;;) {
      if (!value(depth + 1)) return false;
      ws();
      if (peek() == ',') {
        ++at_;
        ws();
        continue;
      }
      if (peek() == ']') return ++at_, true;
      return fail("',' or ']' expected");
    }
  }

  static bool hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // The raw bytes between the quotes (escapes kept: enough to compare keys).
  bool string(std::string& out) {
    ++at_;  // "
    for (;;) {
      if (end()) return fail("unterminated string");
      const char c = t_[at_];
      if (c == '"') return ++at_, true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c == '\\') {
        ++at_;
        const char e = peek();
        if (e == 'u') {
          for (std::size_t k = 1; k <= 4; ++k)
            if (at_ + k >= t_.size() || !hex(t_[at_ + k])) return fail("invalid \\u escape");
          out.append(t_.substr(at_ - 1, 6));
          at_ += 5;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos || e == '\0')
          return fail("invalid escape");
        out += '\\';
        out += e;
        ++at_;
        continue;
      }
      out += c;
      ++at_;
    }
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool number() {
    if (peek() == '-') ++at_;
    if (peek() == '0') {
      ++at_;
      if (digit(peek())) return fail("leading zero in a number");
    } else if (digit(peek())) {
      while (digit(peek())) ++at_;
    } else {
      return fail("value expected (inf, nan and NaN are not JSON)");
    }
    if (peek() == '.') {
      ++at_;
      if (!digit(peek())) return fail("digit expected after '.'");
      while (digit(peek())) ++at_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++at_;
      if (peek() == '+' || peek() == '-') ++at_;
      if (!digit(peek())) return fail("digit expected in the exponent");
      while (digit(peek())) ++at_;
    }
    return true;
  }

  std::string_view t_;
  std::size_t at_ = 0;
  std::string error_;
};

}  // namespace streamreg_test

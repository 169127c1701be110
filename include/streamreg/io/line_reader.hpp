// SPDX-License-Identifier: MIT
// line_reader: lines from a stream, a chunk callback or memory, without allocating per line.
#pragma once

#include <cstdint>     // std::uint64_t
#include <cstring>     // std::memchr, std::memmove
#include <functional>  // std::function
#include <istream>     // std::istream
#include <memory>      // std::unique_ptr
#include <string>      // std::string
#include <string_view> // std::string_view
#include <utility>     // std::move

#include "../config.hpp"

namespace streamreg::io {

/// Splits input into lines. Line ends are LF or CRLF (a CR before the LF is removed); a UTF-8
/// byte order mark at the start of the input is dropped. Input
/// is read in chunks into one buffer that grows only for lines longer than it, so reading
/// does not allocate per line. Lines are returned as views valid until the next call.
///
/// Sources: a `std::istream`, a chunk callback `size_t(char* buffer, size_t capacity)` that
/// returns 0 at end of input (use it for a file descriptor, so that a pipe's lines arrive as
/// soon as they are written), or a string view (no copy).
class line_reader {
 public:
  using chunk_source = std::function<std::size_t(char*, std::size_t)>;

  explicit line_reader(std::string_view text) noexcept : data_(text.data()), end_(text.size()) {
    eof_ = true;
  }

  explicit line_reader(chunk_source source, std::size_t chunk = 1 << 16)
      : source_(std::move(source)), capacity_(chunk), owned_(new char[chunk]) {
    STREAMREG_ASSERT(chunk > 0, "line_reader: the chunk size must be positive");
    data_ = owned_.get();
  }

  explicit line_reader(std::istream& in, std::size_t chunk = 1 << 16)
      : line_reader(
            [&in](char* buf, std::size_t n) -> std::size_t {
              in.read(buf, static_cast<std::streamsize>(n));
              return static_cast<std::size_t>(in.gcount());
            },
            chunk) {}

  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;

  /// Reads the next line into `line`. Returns false at end of input.
  bool next(std::string_view& line) {
    for (;;) {
      const char* first = data_ + begin_;
      const void* nl = begin_ < end_ ? std::memchr(first, '\n', end_ - begin_) : nullptr;
      if (nl != nullptr) {
        const char* last = static_cast<const char*>(nl);
        const std::size_t len = static_cast<std::size_t>(last - first);
        begin_ += len + 1;
        return deliver(first, len, line);
      }
      if (eof_) {
        if (begin_ == end_) return false;
        const std::size_t len = end_ - begin_;
        begin_ = end_;
        return deliver(first, len, line);
      }
      fill();
    }
  }

  /// 1-based number of the line last returned (0 before the first).
  std::uint64_t line_number() const noexcept { return line_; }

 private:
  bool deliver(const char* first, std::size_t len, std::string_view& line) noexcept {
    if (len > 0 && first[len - 1] == '\r') --len;
    if (line_ == 0 && len >= 3 && first[0] == '\xEF' && first[1] == '\xBB' && first[2] == '\xBF') {
      first += 3;  // UTF-8 byte order mark
      len -= 3;
    }
    line = std::string_view(first, len);
    ++line_;
    return true;
  }

  void fill() {
    // Keep the unfinished line at the front; grow when it fills the whole buffer.
    const std::size_t pending = end_ - begin_;
    if (begin_ > 0) {
      std::memmove(owned_.get(), owned_.get() + begin_, pending);
      begin_ = 0;
      end_ = pending;
    }
    if (end_ == capacity_) {
      std::unique_ptr<char[]> bigger(new char[capacity_ * 2]);
      std::memcpy(bigger.get(), owned_.get(), end_);
      owned_ = std::move(bigger);
      capacity_ *= 2;
      data_ = owned_.get();
    }
    const std::size_t got = source_(owned_.get() + end_, capacity_ - end_);
    if (got == 0) eof_ = true;
    end_ += got;
  }

  chunk_source source_;
  std::size_t capacity_ = 0;
  std::unique_ptr<char[]> owned_;
  const char* data_ = nullptr;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::uint64_t line_ = 0;
};

}  // namespace streamreg::io

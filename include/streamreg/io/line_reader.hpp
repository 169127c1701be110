// SPDX-License-Identifier: MIT
// line_reader: lines from a file, a stream, a chunk callback or memory, without allocating per
// line; a line is handed over as soon as its end has been read.
#pragma once

#include <algorithm>     // std::min
#include <cerrno>        // errno
#include <cstdint>       // std::uint64_t
#include <cstring>       // std::memchr, std::memmove
#include <exception>     // std::exception
#include <filesystem>    // std::filesystem::path
#include <fstream>       // std::ifstream
#include <functional>    // std::function
#include <istream>       // std::istream
#include <memory>        // std::unique_ptr
#include <string>        // std::string
#include <string_view>   // std::string_view
#include <system_error>  // std::generic_category
#include <type_traits>   // std::enable_if_t, std::is_same_v
#include <utility>       // std::move

#include "../config.hpp"
#include "../error.hpp"

namespace streamreg::io {

/// Splits input into lines. Line ends are LF or CRLF (a CR before the LF is removed); a UTF-8
/// byte order mark at the start of the input is dropped. Input
/// is read in chunks into one buffer that grows only for lines longer than it, so reading
/// does not allocate per line. Lines are returned as views valid until the next call.
///
/// Sources:
/// - a `std::filesystem::path`: the file is opened and read; a file that does not exist or
///   cannot be read (a directory, no permission) is an io_error naming the path. (A
///   `std::string` is never a path: it is read as the text itself, like a string view.)
/// - a `std::istream` (`std::cin`, a `std::ifstream`, a `std::istringstream`): a stream that
///   is not readable when the reader is made (`!in`: a `std::ifstream` whose file could not
///   be opened) is an io_error (the stream does not know its path: prefer the path source);
///   a read error later is an io_error too.
/// - a chunk callback `size_t(char* buffer, size_t capacity)` that returns 0 at end of input
///   (io::input_file::source() reads a file descriptor so).
/// - a string view (no copy).
///
/// Streaming: the reader never waits for more input than the line it is asked for. From a
/// stream it takes what the stream has buffered and otherwise waits for one byte at a time
/// up to the line's end, so each line of a pipe or terminal (`std::cin`, with or without
/// `std::ios::sync_with_stdio(false)`) is handed over as soon as its line end has been read,
/// whatever the stream's buffering: the latency is that of the read system call (tested:
/// under 250 ms after the writer wrote it, on a loaded machine; measured about 0.1 ms). A
/// chunk callback must do the same: return what is available rather than wait for a full
/// buffer.
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

  /// Requires: `in` readable (io_error otherwise) and alive as long as the reader.
  explicit line_reader(std::istream& in, std::size_t chunk = 1 << 16)
      : line_reader(stream_source(in, std::string()), chunk) {
    if (!in)
      STREAMREG_THROW(io_error("", "the input stream cannot be read (a std::ifstream whose "
                                   "file could not be opened? read the file by its "
                                   "std::filesystem::path to be told why)"));
  }

  /// Reads the file at `file` (a std::filesystem::path only: a string is text, not a path).
  template <class Path, std::enable_if_t<std::is_same_v<Path, std::filesystem::path>, int> = 0>
  explicit line_reader(const Path& file, std::size_t chunk = 1 << 16)
      : line_reader(chunk_source(), chunk) {
    file_ = open(file);
    source_ = stream_source(*file_, file.string());
  }

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
  /// Reads what `in` has buffered, else waits for bytes one at a time up to a line end (or
  /// `n` bytes): never waits for more than the current line. `name`: the path, if known.
  static chunk_source stream_source(std::istream& in, std::string name) {
    return [&in, name = std::move(name)](char* buf, std::size_t n) -> std::size_t {
      std::streambuf* sb = in.rdbuf();
      if (sb == nullptr) return 0;
      constexpr int eof = std::char_traits<char>::eof();
      std::size_t k = 0;
      bool flushed = false;
      for (;;) {
        // Nothing here may wait for input unless no complete line is at hand.
        const std::streamsize avail = guarded(name, [sb] { return sb->in_avail(); });
        if (avail > 0) {  // buffered: taken without waiting
          const auto want = static_cast<std::streamsize>(
              std::min(static_cast<std::size_t>(avail), n - k));
          return k + static_cast<std::size_t>(
                         guarded(name, [&] { return sb->sgetn(buf + k, want); }));
        }
        if (k == n || (k > 0 && buf[k - 1] == '\n')) return k;
        if (!flushed && in.tie() != nullptr) {  // as any read of the stream: show a prompt
          in.tie()->flush();
          flushed = true;
        }
        int c = guarded(name, [sb] { return sb->sbumpc(); });
        if (c != eof && guarded(name, [sb] { return sb->in_avail(); }) == 0) {
          // Still nothing buffered (std::cin synchronised with stdio reads a byte per call):
          // read byte by byte to the line's end.
          while (c != eof && k + 1 < n && c != '\n') {
            buf[k++] = std::char_traits<char>::to_char_type(c);
            c = guarded(name, [sb] { return sb->sbumpc(); });
          }
        }
        if (c == eof) {
          in.setstate(std::ios::eofbit);
          return k;
        }
        buf[k++] = std::char_traits<char>::to_char_type(c);
      }
    };
  }

  /// Calls a stream buffer function; an exception it raises (a read error) is an io_error.
  template <class F>
  static auto guarded(const std::string& name, F f) -> decltype(f()) {
#if STREAMREG_USE_EXCEPTIONS
    try {
      return f();
    } catch (const std::exception& e) {
      STREAMREG_THROW(io_error(name, "cannot read " +
                                         (name.empty() ? std::string("the input stream")
                                                       : "'" + printable(name) + "'") +
                                         ": " + e.what()));
    }
#else
    (void)name;
    return f();
#endif
  }

  static std::unique_ptr<std::ifstream> open(const std::filesystem::path& file) {
    const std::string name = file.string();
    const auto fail = [&name](const std::string& why) {
      return io_error(name, "cannot read '" + printable(name) + "': " + why);
    };
    const auto fail_open = [&name](const std::string& why) {
      return io_error(name, "cannot open '" + printable(name) + "': " + why);
    };
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) STREAMREG_THROW(fail("it is a directory"));
    errno = 0;
    auto in = std::make_unique<std::ifstream>(file, std::ios::binary);
    if (!in->is_open()) {
      const int err = errno;
      STREAMREG_THROW(fail_open(err != 0 ? std::generic_category().message(err)
                                    : std::string("it cannot be opened")));
    }
    return in;
  }

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

  std::unique_ptr<std::ifstream> file_;  // the path source's file
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

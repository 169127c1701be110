// SPDX-License-Identifier: MIT
// input_file: a file descriptor read as whole lines, bounded, with the identity (length and
// hash) of the lines consumed, for checkpoints that must recognise their input (POSIX).
#pragma once

#include <algorithm>    // std::min
#include <cerrno>       // errno
#include <cstdint>      // std::uint64_t
#include <cstring>      // std::memchr, std::memcpy
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move

#include <fcntl.h>     // ::open
#include <sys/stat.h>  // ::fstat
#include <unistd.h>    // ::read, ::close

#include "../error.hpp"
#include "durable_file.hpp"  // file_prefix, io_failure
#include "line_reader.hpp"   // line_reader::chunk_source

namespace streamreg::io {

/// An input read through source() by a line_reader (csv_reader, jsonl_reader): chunks are
/// handed over as data arrive (read(2): a pipe's lines are not held back; a record is handed
/// over as soon as its line end has been read), but only through the last complete line; a
/// line that is not finished yet waits for its end.
///
/// ```
/// io::input_file in("-");  // standard input; or a path, or input_file(fd, "name")
/// io::csv_reader<double> reader(in.source(), {"x", "y"});
/// ```
///
/// - Bounded: a line longer than `max_line` bytes is a parse_error naming it (the reader
///   never buffers more than about twice that).
/// - Encodings: an input starting with a UTF-16 or UTF-32 byte order mark is refused with a
///   config_error naming the encoding (the readers take UTF-8; a UTF-8 mark is dropped by them).
/// - `complete_lines`: at the end of the input an unfinished last line (no line end yet: a
///   file still being written) is not handed over; held_back() tells its length. Otherwise it
///   is the last line, as in any text file.
/// - `track`: consumed(lines) gives the length and FNV-1a hash of the input's first `lines`
///   lines, what a checkpoint records to recognise its input on resume.
///
/// Requires that the reader asks for more data only when it has handed out every complete
/// line it holds (line_reader does), and that consumed() is asked at most for the lines handed
/// out. Memory: besides the reader's buffer, about one chunk plus one line.
class input_file {
 public:
  struct options {
    std::size_t max_line = std::size_t{1} << 20;  ///< longest line in bytes (line end excluded)
    bool complete_lines = false;                  ///< hold back an unfinished last line
    bool track = false;                           ///< keep consumed() (hashes every byte)
  };

  /// `path` "-" is standard input. A file that cannot be opened is a config_error.
  input_file(const std::string& path, options opt) : name_(path == "-" ? "standard input" : path), opt_(opt) {
    if (path == "-") {
      fd_ = 0;
    } else {
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0)
        throw config_error("cannot open '" + printable(path) + "': " + std::strerror(errno));
      owned_ = true;
    }
    struct stat st {};
    regular_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  }
  explicit input_file(const std::string& path) : input_file(path, options{}) {}
  /// Reads the open file descriptor `fd` (a pipe, a socket, a terminal), which stays open
  /// (the caller's). `name` is what messages call it.
  input_file(int fd, std::string name, options opt)
      : name_(std::move(name)), opt_(opt), fd_(fd) {
    struct stat st {};
    regular_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  }
  input_file(int fd, std::string name) : input_file(fd, std::move(name), options{}) {}
  ~input_file() {
    if (owned_) ::close(fd_);
  }
  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;

  /// The chunk callback for a line_reader (valid while this object lives).
  line_reader::chunk_source source() {
    return [this](char* buf, std::size_t n) { return next_chunk(buf, n); };
  }

  /// "standard input" or the path.
  const std::string& name() const noexcept { return name_; }
  int fd() const noexcept { return fd_; }
  /// A regular file (not a pipe or a terminal).
  bool regular() const noexcept { return regular_; }
  /// Bytes of an unfinished last line held back at the end (`complete_lines`), else 0.
  std::uint64_t held_back() const noexcept { return held_back_; }

  /// Length and hash of the first `lines` lines handed out (with their line ends). Requires
  /// `track`, and `lines` at least the lines handed out before the reader last asked for data.
  file_prefix consumed(std::uint64_t lines) const {
    file_prefix p = committed_;
    std::uint64_t at = committed_lines_;
    const char* first = history_.data();
    const char* const last = first + history_.size();
    while (at < lines && first != last) {
      const void* nl = std::memchr(first, '\n', static_cast<std::size_t>(last - first));
      const char* end = nl != nullptr ? static_cast<const char*>(nl) + 1 : last;
      p.hash = streamreg::detail::fnv1a(std::string_view(first, static_cast<std::size_t>(end - first)), p.hash);
      p.length += static_cast<std::uint64_t>(end - first);
      first = end;
      ++at;
    }
    return p;
  }

 private:
  std::size_t next_chunk(char* buf, std::size_t n) {
    if (opt_.track) commit();
    for (;;) {
      if (ready_ > 0 && bom_checked_) return hand_over(buf, n, ready_);
      if (overlong_ > 0)  // every line before it was handed over
        throw parse_error(overlong_, 0, "", "",
                          "longer than the maximum line length of " +
                              std::to_string(opt_.max_line) + " bytes");
      if (eof_) {
        const std::size_t rest = pending_.size() - pos_;
        if (rest == 0) return 0;
        if (opt_.complete_lines) {
          held_back_ = rest;
          pos_ = pending_.size();
          return 0;
        }
        std::size_t available = rest;
        return hand_over(buf, n, available);
      }
      read_more();
    }
  }

  std::size_t hand_over(char* buf, std::size_t n, std::size_t& available) {
    const std::size_t k = std::min(n, available);
    std::memcpy(buf, pending_.data() + pos_, k);
    if (opt_.track) history_.append(pending_.data() + pos_, k);
    pos_ += k;
    available -= k;
    if (&available != &ready_) ready_ = 0;
    return k;
  }

  void read_more() {
    if (pos_ > 0) {
      pending_.erase(0, pos_);
      pos_ = 0;
    }
    const std::size_t old = pending_.size();
    pending_.resize(old + chunk);
    ssize_t got;
    do {
      got = ::read(fd_, pending_.data() + old, chunk);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      const int err = errno;
      pending_.resize(old);
      throw io_failure("read", name_, err);
    }
    pending_.resize(old + static_cast<std::size_t>(got));
    if (got == 0) eof_ = true;
    if (!bom_checked_ && (pending_.size() >= 4 || eof_)) check_bom();
    // Find the line ends among the new bytes: the lines must fit max_line, and what is
    // handed over ends with the last of them.
    const char* p = pending_.data() + old;
    const char* const end = pending_.data() + pending_.size();
    const char* last_nl = nullptr;
    while (p != end) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      const char* stop = nl != nullptr ? static_cast<const char*>(nl) : end;
      line_length_ += static_cast<std::uint64_t>(stop - p);
      if (line_length_ > opt_.max_line) {  // an error once the lines before it are read
        overlong_ = lines_seen_ + 1;
        break;
      }
      if (nl == nullptr) break;
      ++lines_seen_;
      line_length_ = 0;
      last_nl = stop;
      p = stop + 1;
    }
    if (last_nl != nullptr)
      ready_ = static_cast<std::size_t>(last_nl + 1 - (pending_.data() + pos_));
  }

  /// Every complete line handed out so far has been consumed: fold them into committed_.
  void commit() {
    const std::size_t nl = history_.rfind('\n');
    if (nl == std::string::npos) return;
    const std::string_view done(history_.data(), nl + 1);
    committed_.hash = streamreg::detail::fnv1a(done, committed_.hash);
    committed_.length += done.size();
    for (char c : done) committed_lines_ += c == '\n';
    history_.erase(0, nl + 1);
  }

  void check_bom() {
    bom_checked_ = true;
    const auto b = [this](std::size_t i) {
      return i < pending_.size() ? static_cast<unsigned char>(pending_[i]) : 0x100u;
    };
    const char* encoding = nullptr;
    const char* mark = nullptr;
    if (b(0) == 0xFF && b(1) == 0xFE && b(2) == 0 && b(3) == 0) {
      encoding = "UTF-32LE";
      mark = "FF FE 00 00";
    } else if (b(0) == 0 && b(1) == 0 && b(2) == 0xFE && b(3) == 0xFF) {
      encoding = "UTF-32BE";
      mark = "00 00 FE FF";
    } else if (b(0) == 0xFF && b(1) == 0xFE) {
      encoding = "UTF-16LE";
      mark = "FF FE";
    } else if (b(0) == 0xFE && b(1) == 0xFF) {
      encoding = "UTF-16BE";
      mark = "FE FF";
    }
    if (encoding != nullptr)
      throw config_error("'" + printable(name_) + "' is " + encoding +
                         " text (it starts with the byte order mark " + mark +
                         "); this program reads UTF-8: convert it first, e.g. iconv -f " +
                         encoding + " -t UTF-8");
  }

  static constexpr std::size_t chunk = std::size_t{1} << 16;

  std::string name_;
  options opt_;
  int fd_ = -1;
  bool owned_ = false;
  bool regular_ = false;
  bool eof_ = false;
  bool bom_checked_ = false;
  std::string pending_;     // read, not handed over from pos_ on
  std::size_t pos_ = 0;
  std::size_t ready_ = 0;   // bytes from pos_ through the last complete line
  std::uint64_t lines_seen_ = 0, line_length_ = 0;
  std::uint64_t held_back_ = 0;
  std::uint64_t overlong_ = 0;  // the number of a line longer than max_line, once found
  // track: handed over but not committed; the committed prefix and its line count.
  std::string history_;
  file_prefix committed_{};
  std::uint64_t committed_lines_ = 0;
};

}  // namespace streamreg::io

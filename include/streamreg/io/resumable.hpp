// SPDX-License-Identifier: MIT
// Resumable runs: the checkpoint file of a run (locked, read, replaced atomically) and the
// position it records (input lines consumed, the identity of that input and of the output the
// state covers), verified before a run continues (POSIX).
#pragma once

#include <cerrno>       // errno
#include <cstdint>      // std::uint64_t
#include <cstring>      // std::strerror
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move

#include <fcntl.h>     // ::open
#include <sys/stat.h>  // ::stat
#include <unistd.h>    // ::close

#include "../checkpoint.hpp"  // checkpoint_error
#include "../error.hpp"
#include "durable_file.hpp"  // file_prefix, write_atomically, read_file_if_exists, hash_range
#include "input_file.hpp"
#include "run_lock.hpp"

namespace streamreg::io {

/// The checkpoint of one run: locked for the object's lifetime (run_lock: a second run is
/// refused at once), read at construction (absent is a fresh start; unreadable, e.g. EACCES,
/// is a checkpoint_error, never taken for absent), replaced atomically and durably by save()
/// (write_atomically; a symbolic link is followed and kept).
class checkpoint_file {
 public:
  explicit checkpoint_file(std::string path) : path_(std::move(path)), lock_(path_) {
    try {
      saved_ = read_file_if_exists(path_);
    } catch (const io_error& e) {
      throw checkpoint_error(std::string("checkpoint: ") + e.what());
    }
  }
  /// The text found at start, if the file existed.
  const std::optional<std::string>& saved() const noexcept { return saved_; }
  const std::string& path() const noexcept { return path_; }
  void save(std::string_view text) const { write_atomically(path_, text); }

 private:
  std::string path_;
  run_lock lock_;
  std::optional<std::string> saved_;
};

/// Where a run is: what a checkpoint records beside the state, so that a restart continues
/// exactly there, or refuses when the files are not those the state belongs to.
struct run_position {
  std::uint64_t line = 0;  ///< input lines consumed (a file's; 0 for other inputs)
  file_prefix input{};     ///< their length and hash (input_file::consumed)
  file_prefix output{};    ///< the output the state covers (output_file::prefix)
  bool output_checked = false;  ///< output is a regular file whose prefix can be verified

  template <class Archive>
  void serialize(Archive& ar) {
    ar.field("line", line);
    ar.field("input_bytes", input.length);
    ar.field("input_hash", input.hash);
    ar.field("output_offset", output.length);
    ar.field("output_hash", output.hash);
    ar.field("output_checked", output_checked);
    if constexpr (Archive::loading) {
      if (line == 0 && input.length != 0) ar.fail("field 'input_bytes' must be 0 when line is 0");
      if (input.length < line) ar.fail("field 'input_bytes' is smaller than the lines consumed");
    }
  }
};

/// Checks that the output file at `path` begins with the `covered` bytes a checkpoint
/// recorded (their length and hash); what follows them (rows written after that checkpoint by
/// the run that stopped) is cut off when the run continues. Throws checkpoint_error saying
/// what differs: a missing output, a shorter one (truncated, rotated), different contents.
inline void verify_output(const std::string& path, const file_prefix& covered) {
  const std::string quoted = "'" + printable(path) + "'";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw checkpoint_error("cannot resume: the output " + quoted + " is missing (" +
                           std::strerror(errno) + "); the checkpoint covers its first " +
                           std::to_string(covered.length) + " bytes");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < covered.length)
    throw checkpoint_error("cannot resume: the output " + quoted + " has " + std::to_string(size) +
                           " bytes, fewer than the " + std::to_string(covered.length) +
                           " the checkpoint covers (truncated or rotated?)");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw io_failure("read", path, errno);
  std::uint64_t h = 0;
  try {
    h = hash_range(fd, path, 0, covered.length, streamreg::detail::fnv1a_empty);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (h != covered.hash)
    throw checkpoint_error("cannot resume: the first " + std::to_string(covered.length) +
                           " bytes of the output " + quoted +
                           " differ from those the checkpoint covers (another or a changed file)");
}

/// Checks that the input's first `line` lines, as read again (`now`, from
/// input_file::consumed), are those a checkpoint consumed (`recorded`). Throws
/// checkpoint_error saying what differs.
inline void verify_input(const input_file& in, std::uint64_t line, const file_prefix& now,
                         const file_prefix& recorded) {
  const std::string quoted = "'" + printable(in.name()) + "'";
  if (now.length != recorded.length)
    throw checkpoint_error("cannot resume: the first " + std::to_string(line) +
                           " lines of the input " + quoted + " are " + std::to_string(now.length) +
                           " bytes long, not " + std::to_string(recorded.length) +
                           " as when the checkpoint was written (another or a changed file)");
  if (now.hash != recorded.hash)
    throw checkpoint_error("cannot resume: the first " + std::to_string(line) +
                           " lines of the input " + quoted +
                           " differ from those the checkpoint consumed (another or a changed file)");
}

}  // namespace streamreg::io

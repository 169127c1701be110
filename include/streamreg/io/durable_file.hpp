// SPDX-License-Identifier: MIT
// Checked and durable files (POSIX): an output stream whose every write, flush, sync and close
// is checked, atomic replacement of a small file, same-file tests, links followed.
#pragma once

#include <cerrno>       // errno
#include <cstdint>      // std::uint64_t
#include <cstdio>       // std::FILE, std::fflush, std::fclose
#include <cstring>      // std::strerror
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move, std::exchange

#include <fcntl.h>     // ::open
#include <sys/stat.h>  // ::stat, ::fstat
#include <unistd.h>    // ::write, ::fsync, ::pread, ::readlink

#include "../checkpoint.hpp"  // streamreg::detail::fnv1a
#include "../error.hpp"

/// POSIX only (open, fsync, pread, rename, fcntl): the library's durable files. Every failure
/// is an io_error naming the file and the reason (strerror): a full disk (ENOSPC), a file size
/// limit (EFBIG), a closed pipe (EPIPE, when SIGPIPE is ignored), a closed descriptor (EBADF),
/// a device error (EIO).
namespace streamreg::io {

/// "cannot <what> '<path>': <strerror(err)>" as an io_error.
inline io_error io_failure(const std::string& what, const std::string& path, int err) {
  return io_error(path, "cannot " + what + " '" + printable(path) + "': " + std::strerror(err));
}

/// The file a chain of symbolic links leads to: `path` itself when it is not a link (or does
/// not exist yet); a dangling link gives the path it points to. Writing through the result
/// keeps the links in place. At most 40 links are followed (as the kernel's ELOOP limit).
inline std::string resolve_links(std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::string target(4096, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n <= 0) return path;
    target.resize(static_cast<std::size_t>(n));
    if (target[0] != '/') {
      const std::size_t slash = path.rfind('/');
      if (slash != std::string::npos) target = path.substr(0, slash + 1) + target;
    }
    path = std::move(target);
  }
  return path;
}

/// Whether `a` and `b` name the same existing file (device and inode, through links, also
/// hard links). False when either does not exist.
inline bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/// Whether the open descriptor `fd` is the regular file `path` names.
inline bool same_file(int fd, const std::string& path) {
  struct stat sa {}, sb {};
  return ::fstat(fd, &sa) == 0 && S_ISREG(sa.st_mode) && ::stat(path.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/// Whether `path` names an existing regular file (links followed).
inline bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// Makes sure descriptors 0, 1 and 2 are open, so that no file this process opens later
/// takes the place of a closed standard stream (and receives its output). A closed standard
/// output or error is replaced by /dev/null opened for reading only: writing to it still fails
/// (EBADF), as writing to the closed descriptor would. Call at the start of main().
inline void guard_standard_streams() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int got = ::open("/dev/null", O_RDONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
  }
}

/// The contents of the file at `path`; nullopt when it does not exist. A file that exists
/// but cannot be read (EACCES, EISDIR, EIO, ...) is an io_error: unreadable is not absent.
inline std::optional<std::string> read_file_if_exists(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw io_failure("read", path, errno);
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw io_failure("read", path, err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

/// Writes all of `data` to `fd`, retrying short writes and EINTR. Returns 0 or the errno.
inline int write_fully(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

/// Replaces the file at `path` with `text`, atomically and durably: `text` goes to a temporary
/// file beside the target (`<target>.tmp`), which is synced, closed and renamed over the
/// target; then the directory is synced. A reader sees the old file or the new one, never a
/// mix, also after a crash or power loss. A symbolic link is followed: its target is replaced
/// and the link kept. Throws io_error naming the file (nothing replaced) on any failure.
inline void write_atomically(const std::string& path, std::string_view text) {
  const std::string target = resolve_links(path);
  const std::string tmp = target + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_failure("write", tmp, errno);
  int err = write_fully(fd, text.data(), text.size());
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw io_failure("write", tmp, err);
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    throw io_failure("replace", target, err);
  }
  const std::size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : target.substr(0, slash);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (dfd >= 0) {  // some file systems cannot sync a directory (EINVAL): the rename stands
    if (::fsync(dfd) != 0 && errno != EINVAL && errno != EROFS) {
      err = errno;
      ::close(dfd);
      throw io_failure("sync the directory of", target, err);
    }
    ::close(dfd);
  }
}

/// The FNV-1a hash (streamreg::detail::fnv1a) of bytes [from, to) of the open file `fd`, continuing the
/// hash `h` of the bytes before `from`. Throws io_error when the file is shorter or unreadable.
inline std::uint64_t hash_range(int fd, const std::string& path, std::uint64_t from,
                                std::uint64_t to, std::uint64_t h) {
  char buf[1 << 16];
  while (from < to) {
    const std::uint64_t want = to - from < sizeof buf ? to - from : sizeof buf;
    const ssize_t n = ::pread(fd, buf, static_cast<std::size_t>(want), static_cast<off_t>(from));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_failure("read", path, errno);
    if (n == 0) throw io_failure("read", path, ENODATA);
    h = streamreg::detail::fnv1a(std::string_view(buf, static_cast<std::size_t>(n)), h);
    from += static_cast<std::uint64_t>(n);
  }
  return h;
}

/// Length and FNV-1a hash of the first bytes of a file: what a checkpoint records of the
/// output it covers and of the input it consumed.
struct file_prefix {
  std::uint64_t length = 0;
  std::uint64_t hash = streamreg::detail::fnv1a_empty;
  friend bool operator==(const file_prefix& a, const file_prefix& b) noexcept {
    return a.length == b.length && a.hash == b.hash;
  }
};

/// An output stream (a file, or standard output) whose every failure is an io_error naming
/// it. Writers write through get() (a C stream); flush() and sync() check what was written:
/// a write error of any earlier row is reported there at the latest. sync() is the
/// durability point: after it, size() bytes are on the device and prefix() is their hash,
/// which is what a checkpoint may claim. The destructor closes without checking (an error
/// path); a run that ends well calls close(), which checks.
class output_file {
 public:
  /// Standard output ("" or "-"), or the file at `path` (links followed: the target is
  /// written, the link kept). `resume`: continue an existing file whose first `resume->length`
  /// bytes (hash `resume->hash`, verified by the caller) are kept and the rest cut off;
  /// without it the file is created or truncated.
  explicit output_file(const std::string& path, std::optional<file_prefix> resume = {})
      : name_(path.empty() || path == "-" ? "standard output" : path) {
    if (path.empty() || path == "-") {
      f_ = stdout;
    } else {
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (resume ? 0 : O_CREAT | O_TRUNC), 0644);
      if (fd < 0) throw io_failure(resume ? "continue" : "write", path, errno);
      if (resume && (::ftruncate(fd, static_cast<off_t>(resume->length)) != 0 ||
                     ::lseek(fd, 0, SEEK_END) < 0)) {
        const int err = errno;
        ::close(fd);
        throw io_failure("continue", path, err);
      }
      f_ = ::fdopen(fd, "w");
      if (f_ == nullptr) {
        const int err = errno;
        ::close(fd);
        throw io_failure("write", path, err);
      }
      owned_ = true;
    }
    struct stat st {};
    const int fd = ::fileno(f_);
    if (::fstat(fd, &st) == 0) {
      regular_ = S_ISREG(st.st_mode);
      interactive_ = ::isatty(fd) != 0 || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
    }
    if (resume) hashed_ = *resume;
  }
  ~output_file() {
    if (owned_ && f_ != nullptr) std::fclose(f_);
    if (reader_ >= 0) ::close(reader_);
  }
  output_file(const output_file&) = delete;
  output_file& operator=(const output_file&) = delete;

  std::FILE* get() const noexcept { return f_; }
  /// "standard output" or the path.
  const std::string& name() const noexcept { return name_; }
  /// A terminal, a pipe or a socket: rows should be flushed one by one.
  bool interactive() const noexcept { return interactive_; }
  /// A regular file: its length and contents can be checked on resume.
  bool regular() const noexcept { return regular_; }

  /// Hands the buffered rows to the system; throws io_error if this or any earlier write failed.
  void flush() const {
    errno = 0;
    if (std::fflush(f_) != 0 || std::ferror(f_) != 0)
      throw io_failure("write", name_, errno != 0 ? errno : EIO);
  }
  /// flush(), then puts the data on the device (fsync; regular files only).
  void sync() const {
    flush();
    if (regular_ && ::fsync(::fileno(f_)) != 0) throw io_failure("sync", name_, errno);
  }
  /// sync() and close (checked). Standard output is flushed and synced, not closed.
  void close() {
    if (f_ == nullptr) return;
    sync();
    if (owned_) {
      owned_ = false;
      if (std::fclose(std::exchange(f_, nullptr)) != 0) throw io_failure("close", name_, errno);
    }
  }
  /// Length and hash of what the file holds after a sync() (the output a checkpoint covers):
  /// for a regular file opened by path, extended from the last call by reading back the new
  /// bytes; for standard output, a pipe or a terminal the length only, with the hash of nothing.
  file_prefix prefix() {
    sync();
    const std::uint64_t end = position();
    if (regular_ && owned_ && end > hashed_.length) {
      if (reader_ < 0) {  // the output is open for writing only: read it back through another
        reader_ = ::open(name_.c_str(), O_RDONLY | O_CLOEXEC);
        if (reader_ < 0) throw io_failure("read back", name_, errno);
      }
      hashed_.hash = hash_range(reader_, name_, hashed_.length, end, hashed_.hash);
      hashed_.length = end;
    } else if (!regular_ || !owned_) {
      hashed_.length = end;
    }
    return hashed_;
  }

 private:
  std::uint64_t position() const {
    const off_t p = ::lseek(::fileno(f_), 0, SEEK_CUR);
    return p < 0 ? 0 : static_cast<std::uint64_t>(p);
  }

  std::string name_;
  std::FILE* f_ = nullptr;
  bool owned_ = false;
  bool regular_ = false;
  bool interactive_ = false;
  file_prefix hashed_{};  // regular files: the hash of the first hashed_.length bytes
  int reader_ = -1;       // the file opened for reading back (prefix())
};

}  // namespace streamreg::io

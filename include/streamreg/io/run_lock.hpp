// SPDX-License-Identifier: MIT
// run_lock: one owner per checkpoint. An exclusive lock held for a run's lifetime (POSIX).
#pragma once

#include <cerrno>   // errno
#include <string>   // std::string, std::to_string
#include <utility>  // std::exchange

#include <fcntl.h>     // ::open
#include <sys/file.h>  // ::flock
#include <unistd.h>    // ::close, ::getpid, ::ftruncate, ::pwrite, ::pread

#include "../error.hpp"
#include "durable_file.hpp"  // resolve_links, io_failure

namespace streamreg::io {

/// An exclusive lock on a checkpoint, held until destruction (or process exit, also by
/// SIGKILL: the system releases it). The lock is a flock() on a companion file
/// `<checkpoint>.lock` (links followed to the checkpoint's target): the checkpoint itself is
/// replaced by rename on every save, so a lock on it would not survive the first save. flock
/// belongs to the open file, so closing another descriptor of the lock file does not drop it
/// (as it would a POSIX record lock). The lock file holds the owner's process id as text and
/// is left in place.
///
/// A second run on the same checkpoint (another process, or another run_lock in this one) is
/// refused at once with a config_error naming the checkpoint and the process holding it.
class run_lock {
 public:
  explicit run_lock(const std::string& checkpoint)
      : path_(resolve_links(checkpoint) + ".lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw io_failure("create the lock file", path_, errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      // The holder wrote its process id into the file once it had the lock.
      char buf[32] = {};
      const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
      std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      const bool known = !holder.empty() && holder.find_first_not_of("0123456789") == std::string::npos;
      ::close(std::exchange(fd_, -1));
      if (err != EWOULDBLOCK) throw io_failure("lock", path_, err);
      throw config_error("checkpoint '" + printable(checkpoint) + "' is in use by " +
                         (known ? "process " + holder : std::string("another process")) +
                         " (lock '" + printable(path_) + "'): one run per checkpoint");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
      const int err = errno;
      ::close(std::exchange(fd_, -1));
      throw io_failure("write", path_, err);
    }
  }
  ~run_lock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  run_lock(const run_lock&) = delete;
  run_lock& operator=(const run_lock&) = delete;

  /// The lock file's path.
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace streamreg::io

// SPDX-License-Identifier: MIT
// Overridable configuration macros: assertions and exception raising.
#pragma once

#include <cstdio>   // std::fprintf for assertion messages
#include <cstdlib>  // std::abort

/// Exceptions are used for bad input and configuration unless the translation unit is
/// compiled without them (`-fno-exceptions`); then STREAMREG_THROW prints and aborts.
#ifndef STREAMREG_USE_EXCEPTIONS
#  if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#    define STREAMREG_USE_EXCEPTIONS 1
#  else
#    define STREAMREG_USE_EXCEPTIONS 0
#  endif
#endif

namespace streamreg::detail {

[[noreturn]] inline void assert_fail(const char* file, int line, const char* function,
                                     const char* condition, const char* message) noexcept {
  std::fprintf(stderr, "%s:%d: %s: streamreg assertion '%s' failed: %s\n", file, line, function,
               condition, message);
  std::abort();
}

}  // namespace streamreg::detail

/// Checks a precondition of a hot-path function (misuse, not bad data). Define it before
/// including any streamreg header to route failures elsewhere, or to `((void)0)` to remove
/// the checks. By default active unless NDEBUG is defined, like `assert`.
#ifndef STREAMREG_ASSERT
#  ifdef NDEBUG
#    define STREAMREG_ASSERT(condition, message) ((void)0)
#  else
#    define STREAMREG_ASSERT(condition, message)                                        \
       ((condition) ? (void)0                                                           \
                    : ::streamreg::detail::assert_fail(__FILE__, __LINE__, __func__,    \
                                                       #condition, message))
#  endif
#endif

/// Raises a streamreg::error (bad input or configuration). Without exceptions it prints the
/// error's message and aborts.
#ifndef STREAMREG_THROW
#  if STREAMREG_USE_EXCEPTIONS
#    define STREAMREG_THROW(exception) throw exception
#  else
#    define STREAMREG_THROW(exception)                                                  \
       ::streamreg::detail::assert_fail(__FILE__, __LINE__, __func__, "no exceptions",  \
                                        (exception).what())
#  endif
#endif

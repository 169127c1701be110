// SPDX-License-Identifier: MIT
// streamreg version macros; CMake parses the project version from this file.
#pragma once

#define STREAMREG_VERSION_MAJOR 0
#define STREAMREG_VERSION_MINOR 1
#define STREAMREG_VERSION_PATCH 0

/// Version as one integer, `major * 10000 + minor * 100 + patch`.
#define STREAMREG_VERSION \
  (STREAMREG_VERSION_MAJOR * 10000 + STREAMREG_VERSION_MINOR * 100 + STREAMREG_VERSION_PATCH)

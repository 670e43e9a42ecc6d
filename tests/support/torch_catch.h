// Include this instead of <catch2/catch.hpp> in tests that use LibTorch. Debian's LibTorch pulls in
// glog, whose CHECK/CHECK_EQ/... macros collide with Catch2's; torch comes first, then glog's
// macros are dropped, then Catch2 defines its own.
#pragma once

#include <ATen/ATen.h>

#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LE
#undef CHECK_LT
#undef CHECK_GE
#undef CHECK_GT
#undef CHECK_NOTNULL
#undef CHECK_THROWS
#undef CHECK_NOTHROW

#include <catch2/catch.hpp>

#pragma once
// Which sanitizers this translation unit is built with, for GCC and Clang alike (GCC defines
// __SANITIZE_ADDRESS__; Clang answers __has_feature). Defined as 1 when on, undefined when off.

#if defined(__SANITIZE_ADDRESS__)
#define OTARI_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OTARI_ASAN 1
#endif
#endif

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define OTARI_MSAN 1
#endif
#endif

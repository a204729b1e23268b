// Debian's cpp-httplib is built with OpenSSL support, and its shared library calls
// OPENSSL_init_ssl() from a static constructor: loading the library loads OpenSSL's
// configuration and its error strings, about 2 MB of memory and a few ms of start-up that
// otari's plain-HTTP server never needs. TLS is only used by libcurl, for upstream calls.
//
// This definition, linked into the executable, is found before libssl's for every caller in
// the process (ELF symbol interposition). Calls made while shared libraries are being
// initialised, before the executable's own constructors run, are answered with success and
// nothing else; OpenSSL initialises itself when it is first used. Every later call, such as
// libcurl's at its global init, is forwarded to libssl unchanged.
//
// Only the executable carries this file: test programs keep OpenSSL's normal start-up.

#include <dlfcn.h>

#include <atomic>
#include <cstdint>

namespace {

std::atomic<bool> g_executable_initialised{false};

// The executable is initialised after every shared library it depends on (ELF gABI), so this
// runs after cpp-httplib's constructor and before main().
[[gnu::constructor]] void mark_executable_initialised() {
    g_executable_initialised.store(true, std::memory_order_release);
}

using InitSsl = int (*)(std::uint64_t, const void*);

// libssl's own definition: the next one after the executable's in the global scope, or, when
// libssl came in only with a library loaded RTLD_LOCAL (libcurl), from that copy.
InitSsl libssl_init_ssl() {
    static const InitSsl real = [] {
        void* symbol = ::dlsym(RTLD_NEXT, "OPENSSL_init_ssl");
        if (!symbol) {
            if (void* libssl = ::dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD))
                symbol = ::dlsym(libssl, "OPENSSL_init_ssl");
        }
        return reinterpret_cast<InitSsl>(symbol);
    }();
    return real;
}

}  // namespace

// Same signature as libssl's: int OPENSSL_init_ssl(uint64_t, const OPENSSL_INIT_SETTINGS*).
extern "C" [[gnu::visibility("default"), gnu::used]] int OPENSSL_init_ssl(std::uint64_t options,
                                                                          const void* settings) {
    if (!g_executable_initialised.load(std::memory_order_acquire)) return 1;
    InitSsl real = libssl_init_ssl();
    return real ? real(options, settings) : 0;
}

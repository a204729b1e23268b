#include "upstream/curl_library.hpp"

#include <dlfcn.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace otari::upstream {
namespace {

// The oldest libcurl otari is built for (meson.build asks for 7.68 or later).
constexpr unsigned k_oldest_version = 0x074400;

// libcurl's sonames on Debian: the OpenSSL build (libcurl4), the GnuTLS one (libcurl3-gnutls),
// then the development link, whichever the system has.
constexpr const char* k_sonames[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};

CurlLibrary g_library{};
std::atomic<bool> g_loaded{false};
std::once_flag g_once;

void* open_library() {
    std::string errors;
    for (const char* name : k_sonames) {
        if (void* handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL)) return handle;
        if (const char* error = ::dlerror()) {
            std::string_view text(error);
            if (!errors.empty()) errors += "; ";
            // glibc names the file in its message, except when an audit module hid it.
            if (text.find(name) == std::string_view::npos) errors.append(name).append(": ");
            errors.append(text);
        }
    }
    throw std::runtime_error("libcurl could not be loaded (install the libcurl4 package): " +
                             errors);
}

template <typename Function>
void bind(void* handle, const char* name, Function& slot) {
    void* symbol = ::dlsym(handle, name);
    if (!symbol) {
        throw std::runtime_error(std::string("the libcurl found lacks ") + name +
                                 " (otari needs libcurl 7.68 or later)");
    }
    slot = reinterpret_cast<Function>(symbol);
}

void load() {
    void* handle = open_library();
    CurlLibrary lib{};
    decltype(&::curl_version_info) version_info = nullptr;
    decltype(&::curl_global_init) global_init = nullptr;
    bind(handle, "curl_version_info", version_info);
    bind(handle, "curl_global_init", global_init);
    bind(handle, "curl_easy_init", lib.easy_init);
    bind(handle, "curl_easy_cleanup", lib.easy_cleanup);
    bind(handle, "curl_easy_reset", lib.easy_reset);
    bind(handle, "curl_easy_setopt", lib.easy_setopt);
    bind(handle, "curl_easy_getinfo", lib.easy_getinfo);
    bind(handle, "curl_easy_pause", lib.easy_pause);
    bind(handle, "curl_easy_strerror", lib.easy_strerror);
    bind(handle, "curl_multi_init", lib.multi_init);
    bind(handle, "curl_multi_cleanup", lib.multi_cleanup);
    bind(handle, "curl_multi_setopt", lib.multi_setopt);
    bind(handle, "curl_multi_add_handle", lib.multi_add_handle);
    bind(handle, "curl_multi_remove_handle", lib.multi_remove_handle);
    bind(handle, "curl_multi_info_read", lib.multi_info_read);
    bind(handle, "curl_multi_perform", lib.multi_perform);
    bind(handle, "curl_multi_poll", lib.multi_poll);
    bind(handle, "curl_multi_socket_action", lib.multi_socket_action);
    bind(handle, "curl_multi_strerror", lib.multi_strerror);
    bind(handle, "curl_slist_append", lib.slist_append);
    bind(handle, "curl_slist_free_all", lib.slist_free_all);
    const curl_version_info_data* info = version_info(CURLVERSION_NOW);
    if (!info || info->version_num < k_oldest_version) {
        throw std::runtime_error(std::string("libcurl ") + (info ? info->version : "?") +
                                 " is too old: otari needs 7.68 or later");
    }
    // Once per process (the handle is never closed). Other threads may be serving clients
    // meanwhile; they do not use curl or its TLS library before this returns.
    if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
        throw std::runtime_error("curl_global_init failed (" + std::to_string(int(rc)) + ")");
    }
    g_library = lib;
    g_loaded.store(true, std::memory_order_release);
}

}  // namespace

const CurlLibrary& curl_library() {
    if (!g_loaded.load(std::memory_order_acquire)) std::call_once(g_once, load);
    return g_library;
}

}  // namespace otari::upstream

#pragma once
// libcurl, loaded by the first upstream call instead of when otari starts. Linked in, libcurl
// and the TLS, Kerberos, LDAP, SSH and IDN libraries it depends on cost every otari process
// about 8 MB of resident memory and 10 ms of start-up, and curl_global_init another 2 MB:
// paid by `otari keys`, `otari usage` and each shell completion, and by a gateway that has not
// yet been called. Only upstream/client.cpp calls libcurl, through this table.
#include <curl/curl.h>

namespace otari::upstream {

struct CurlLibrary {
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_reset) easy_reset;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_pause) easy_pause;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_multi_init) multi_init;
    decltype(&::curl_multi_cleanup) multi_cleanup;
    decltype(&::curl_multi_setopt) multi_setopt;
    decltype(&::curl_multi_add_handle) multi_add_handle;
    decltype(&::curl_multi_remove_handle) multi_remove_handle;
    decltype(&::curl_multi_info_read) multi_info_read;
    decltype(&::curl_multi_perform) multi_perform;
    decltype(&::curl_multi_poll) multi_poll;
    decltype(&::curl_multi_socket_action) multi_socket_action;
    decltype(&::curl_multi_strerror) multi_strerror;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
};

// The library, loaded and initialised (curl_global_init) by the first call, from any thread.
// Throws std::runtime_error saying what is missing when it cannot be loaded.
const CurlLibrary& curl_library();

}  // namespace otari::upstream

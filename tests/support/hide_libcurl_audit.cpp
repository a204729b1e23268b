// An rtld-audit module (LD_AUDIT, see rtld-audit(7)) that makes every library whose name starts
// with "libcurl" impossible to find: a process run with it behaves as on a system without
// libcurl installed, whatever this one has.
#include <link.h>

#include <cstdint>
#include <cstring>

extern "C" {

unsigned int la_version(unsigned int) { return LAV_CURRENT; }

char* la_objsearch(const char* name, std::uintptr_t*, unsigned int flag) {
    if (flag == LA_SER_ORIG && std::strncmp(name, "libcurl", 7) == 0) return nullptr;
    return const_cast<char*>(name);
}

}  // extern "C"

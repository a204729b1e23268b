// doctest main shared by the unit and integration executables. Each run gets
// its own scratch directory under $TMPDIR, removed when every test passed and
// kept (with its path printed) when one failed, so the evidence survives.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "support/scratch.hpp"

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    fs::path root = otari::test::scratch_root();
    doctest::Context context;
    context.applyCommandLine(argc, argv);
    int rc = context.run();
    if (rc == 0 && !context.shouldExit()) {
        std::error_code ec;
        fs::remove_all(root, ec);
    } else if (rc != 0) {
        std::cerr << "Note: test data has been left in " << root << "\n";
    }
    return rc;
}

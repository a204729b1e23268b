#include "cli/app.hpp"

#include <CLI/CLI.hpp>

#include "otari_version.h"

namespace otari::cli {

int run(int argc, char** argv) {
    CLI::App app{"otari: a local LLM gateway", "otari"};
    app.set_version_flag("-V,--version", "otari " OTARI_VERSION);
    app.require_subcommand(1);
    CLI11_PARSE(app, argc, argv);
    return 0;
}

}  // namespace otari::cli

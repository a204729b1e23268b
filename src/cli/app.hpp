#pragma once

namespace otari::cli {

// Parse the command line, run the chosen subcommand and return the process
// exit status.
int run(int argc, char** argv);

}  // namespace otari::cli

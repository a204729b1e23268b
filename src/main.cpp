#include "cli/app.hpp"

int main(int argc, char** argv) { return otari::cli::run(argc, argv); }

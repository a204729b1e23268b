// $OTARI_IO picks how `otari up` serves connections; a value it does not know is an error.
#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "app/gateway_app.hpp"
#include "config/config.hpp"

using namespace otari;

namespace {

// Sets $OTARI_IO (or clears it) for one test, restoring it after.
struct IoEnv {
    explicit IoEnv(const char* value) {
        if (const char* v = std::getenv("OTARI_IO")) saved = v;
        if (value)
            ::setenv("OTARI_IO", value, 1);
        else
            ::unsetenv("OTARI_IO");
    }
    ~IoEnv() {
        if (saved)
            ::setenv("OTARI_IO", saved->c_str(), 1);
        else
            ::unsetenv("OTARI_IO");
    }
    std::optional<std::string> saved;
};

}  // namespace

TEST_SUITE("config::io") {
    TEST_CASE("connections run on fibers unless OTARI_IO says threads") {
        for (const char* value : {static_cast<const char*>(nullptr), "", "fibers"}) {
            IoEnv env(value);
            auto c = config::parse("", "t.toml");
            CHECK_FALSE(c.threaded_io);
            CHECK(app::server_options(c).io == server::Options::Io::fibers);
        }
        IoEnv env("threads");
        auto c = config::parse("", "t.toml");
        CHECK(c.threaded_io);
        CHECK(app::server_options(c).io == server::Options::Io::threads);
    }

    TEST_CASE("an OTARI_IO value otari does not know is refused, naming the variable") {
        IoEnv env("epoll");
        CHECK_THROWS_WITH_AS(config::parse("", "t.toml"),
                             doctest::Contains("OTARI_IO: expected \"fibers\" or \"threads\""),
                             config::ConfigError);
    }
}

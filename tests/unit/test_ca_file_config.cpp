// [providers.NAME] ca_file: the certificates a provider's TLS certificate is verified with.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "config/config.hpp"
#include "support/scratch.hpp"

using namespace otari;

namespace {

std::string provider_with_ca(const std::string& ca_file) {
    return "[providers.lab]\ntype = \"openai\"\nbase_url = \"https://127.0.0.1:9443/v1\"\n"
           "ca_file = \"" +
           ca_file + "\"\n";
}

}  // namespace

TEST_SUITE("config::ca_file") {
    TEST_CASE("a relative ca_file is found beside the config file") {
        auto dir = test::scratch_dir("ca-config");
        std::ofstream(dir / "lab-ca.pem") << "-----BEGIN CERTIFICATE-----\n";
        auto c = config::parse(provider_with_ca("lab-ca.pem"), (dir / "config.toml").string());
        REQUIRE(c.providers.count("lab") == 1);
        CHECK(c.providers.at("lab").ca_file == (dir / "lab-ca.pem").string());
    }

    TEST_CASE("a ca_file that cannot be read is a config error naming the key and the path") {
        auto dir = test::scratch_dir("ca-config");
        const std::string expected = "providers.lab.ca_file: cannot read \"" +
                                     (dir / "missing.pem").string() +
                                     "\" (No such file or directory)";
        CHECK_THROWS_WITH_AS(
            config::parse(provider_with_ca((dir / "missing.pem").string()), "t.toml"),
            doctest::Contains(expected.c_str()), config::ConfigError);
    }
}

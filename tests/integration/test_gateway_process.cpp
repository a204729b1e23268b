// The real `otari up` process: what it loads before its first upstream call, and the banner's
// note on keyless (local) servers.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

#include "support/fake_upstream.hpp"
#include "support/gateway_process.hpp"
#include "support/http_client.hpp"
#include "support/scratch.hpp"
#include "support/tls_front.hpp"
#include "util/fileio.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

bool maps_libcurl(pid_t pid) {
    std::string maps = util::read_file("/proc/" + std::to_string(pid) + "/maps").value_or("");
    return maps.find("libcurl") != std::string::npos;
}

// The banner's providers line, once the banner is written whole (it ends with the Claude Code
// hint); empty when it does not come within 10 s.
std::string providers_line(const std::filesystem::path& log) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        std::string text = util::read_file(log).value_or("");
        if (text.find("Claude Code:") != std::string::npos) {
            size_t start = text.find("providers:");
            if (start == std::string::npos) return "";
            return text.substr(start, text.find('\n', start) - start);
        }
        std::this_thread::sleep_for(20ms);  // polling the log of another process
    }
    return "";
}

// Opens the FIFO's writing end if a process has its reading end open (true), without waiting.
bool fifo_has_reader(const std::filesystem::path& fifo, int& fd) {
    fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    return fd >= 0;
}

// A fake Anthropic upstream answering every call with `text`.
Script text_answer(const std::string& text) {
    Script s;
    s.body =
        R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":")" +
        text +
        R"("}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}})";
    return s;
}

// A config with one anthropic provider at `base_url` (and `extra` lines in its table), and a key
// for it.
struct ProcessSetup {
    std::filesystem::path dir;
    std::string config_path;
    std::string token;
};

ProcessSetup anthropic_setup(const std::string& name, const std::string& base_url,
                             const std::string& extra = "") {
    ProcessSetup setup{scratch_dir(name), "", ""};
    setup.config_path = (setup.dir / "config.toml").string();
    std::ofstream(setup.config_path)
        << "data_dir = \"" << (setup.dir / "data").string()
        << "\"\n[providers.anthropic]\ntype = \"anthropic\"\nbase_url = \"" << base_url
        << "\"\napi_key = \"k\"\n"
        << extra;
    setup.token = create_key(setup.config_path);
    return setup;
}

HttpResult post_hello(int port, const std::string& token) {
    HttpClient client(port);
    return client.request(
        "POST", "/v1/messages",
        R"({"model":"anthropic:m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})",
        {"Authorization: Bearer " + token});
}

struct Gateway {
    pid_t pid = -1;
    ~Gateway() {
        if (pid <= 0) return;
        ::kill(pid, SIGTERM);
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
};

}  // namespace

TEST_SUITE("integration::gateway_process") {
    TEST_CASE("otari up loads libcurl at its first upstream call, not at start") {
        if (otari_binary().empty()) {
            MESSAGE("OTARI_BINARY is not set: run through meson test");
            return;
        }
        FakeUpstream up;
        up.set_script(text_answer("loaded"));
        auto setup = anthropic_setup("process-curl", up.url());
        REQUIRE(setup.token.rfind("tk_", 0) == 0);
        int port = free_loopback_port();
        Gateway gateway{start_gateway(setup.config_path, port, setup.dir / "otari.log")};
        REQUIRE(wait_healthy(port));
        REQUIRE_FALSE(providers_line(setup.dir / "otari.log").empty());

        CHECK_FALSE(maps_libcurl(gateway.pid));
        auto res = post_hello(port, setup.token);
        CHECK(res.status == 200);
        CHECK(json::parse(res.body)["content"][0]["text"] == "loaded");
        CHECK(maps_libcurl(gateway.pid));
    }

    TEST_CASE("the banner notes a keyless server that does not listen, and not one that does") {
        if (otari_binary().empty()) {
            MESSAGE("OTARI_BINARY is not set: run through meson test");
            return;
        }
        FakeUpstream up;
        int closed_port = free_loopback_port();
        auto dir = scratch_dir("process-banner");
        auto config_path = (dir / "config.toml").string();
        std::ofstream(config_path) << "data_dir = \"" << (dir / "data").string()
                                   << "\"\n[providers.up_lab]\ntype = \"openai\"\nbase_url = \""
                                   << up.url() << "/v1\"\n[providers.down_lab]\ntype = \"openai\"\n"
                                   << "base_url = \"http://127.0.0.1:" << closed_port << "/v1\"\n";
        int port = free_loopback_port();
        Gateway gateway{start_gateway(config_path, port, dir / "otari.log")};
        REQUIRE(wait_healthy(port));
        std::string line = providers_line(dir / "otari.log");
        INFO(line);
        CHECK(line.find("down_lab (not reachable now)") != std::string::npos);
        CHECK(line.find("up_lab") != std::string::npos);
        CHECK(line.find("up_lab (") == std::string::npos);
        // Nothing was sent to the server that listens: the probe only connects.
        CHECK(up.requests().empty());
        CHECK_FALSE(maps_libcurl(gateway.pid));
    }

    // cpp-httplib's shared library initialises OpenSSL when it is loaded; otari defers that
    // (server/openssl_init_deferral.cpp). OPENSSL_CONF pointing at a FIFO makes OpenSSL's
    // initialisation visible: it opens its configuration, and a FIFO's reader blocks there
    // until a writer comes. The call goes to an HTTPS provider: TLS works once deferred.
    TEST_CASE("otari up initialises OpenSSL at its first upstream call, not at start") {
        if (otari_binary().empty()) {
            MESSAGE("OTARI_BINARY is not set: run through meson test");
            return;
        }
        FakeUpstream up;
        up.set_script(text_answer("initialised"));
        TlsFront tls(up.port());
        auto setup = anthropic_setup("process-openssl", tls.url(),
                                     "ca_file = \"" + tls.ca_file().string() + "\"\n");
        REQUIRE(setup.token.rfind("tk_", 0) == 0);
        auto fifo = setup.dir / "openssl.cnf";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        int port = free_loopback_port();
        // Initialised at load, the gateway would wait in open() before main() and never answer.
        Gateway gateway{start_gateway(setup.config_path, port, setup.dir / "otari.log",
                                      {{"OPENSSL_CONF", fifo.string()}})};
        REQUIRE(wait_healthy(port));

        int fd = -1;
        CHECK_FALSE(fifo_has_reader(fifo, fd));
        CHECK(errno == ENXIO);

        auto response =
            std::async(std::launch::async, [&] { return post_hello(port, setup.token); });
        // libcurl's global init reaches OpenSSL, which now opens its configuration.
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!fifo_has_reader(fifo, fd) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(1ms);  // polling for another process to open the FIFO
        REQUIRE(fd >= 0);
        const char empty_config[] = "# no settings\n";
        CHECK(::write(fd, empty_config, sizeof empty_config - 1) ==
              static_cast<ssize_t>(sizeof empty_config - 1));
        ::close(fd);

        auto res = response.get();
        CHECK(res.status == 200);
        CHECK(json::parse(res.body)["content"][0]["text"] == "initialised");
        CHECK(tls.handshakes() == 1);
    }

    TEST_CASE("without libcurl a call fails with a 500 that names the package; otari goes on") {
        const char* hide_libcurl = std::getenv("OTARI_HIDE_LIBCURL");
        if (otari_binary().empty() || !hide_libcurl) {
            MESSAGE("OTARI_BINARY or OTARI_HIDE_LIBCURL is not set: run through meson test");
            return;
        }
        FakeUpstream up;
        auto setup = anthropic_setup("process-no-curl", up.url());
        REQUIRE(setup.token.rfind("tk_", 0) == 0);
        int port = free_loopback_port();
        // The audit module makes every libcurl* file impossible to find, as on a system
        // without the package.
        Gateway gateway{start_gateway(setup.config_path, port, setup.dir / "otari.log",
                                      {{"LD_AUDIT", hide_libcurl}})};
        REQUIRE(wait_healthy(port));

        for (int call = 0; call < 2; ++call) {  // the second tries to load it again
            auto res = post_hello(port, setup.token);
            CHECK(res.status == 500);
            auto body = json::parse(res.body);
            CHECK(body["type"] == "error");
            CHECK(body["error"]["type"] == "api_error");
            std::string message = body["error"]["message"];
            INFO(message);
            CHECK(message.find("install the libcurl4 package") != std::string::npos);
            CHECK(message.find("libcurl.so.4: ") != std::string::npos);
        }
        CHECK(up.requests().empty());
        CHECK(HttpClient(port).request("GET", "/health", "").status == 200);
    }

}  // TEST_SUITE

// The real `otari up` process, killed with SIGKILL under load: every call whose response
// completed has its ledger record, and the ledger stays readable while it is written.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "ledger/reader.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_process.hpp"
#include "support/http_client.hpp"
#include "support/scratch.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

TEST_SUITE("integration::sigkill") {

TEST_CASE("SIGKILL under load loses no record of a completed call and the ledger stays readable") {
    if (otari_binary().empty()) {
        MESSAGE("OTARI_BINARY is not set: run through meson test");
        return;
    }
    FakeUpstream up;
    Script s;
    s.body = R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":2}})";
    s.delay = 2ms;
    up.set_script(s);
    auto dir = scratch_dir("sigkill");
    auto config_path = (dir / "config.toml").string();
    {
        std::ofstream config(config_path);
        config << "data_dir = \"" << (dir / "data").string() << "\"\n[providers.anthropic]\ntype = \"anthropic\"\nbase_url = \""
               << up.url() << "\"\napi_key = \"k\"\n";
    }
    std::string token = create_key(config_path);
    REQUIRE(token.rfind("tk_", 0) == 0);
    int port = free_loopback_port();
    pid_t pid = start_gateway(config_path, port, dir / "otari.log");
    REQUIRE(wait_healthy(port));

    std::mutex mutex;
    std::set<std::string> completed;  // request ids of calls whose whole response arrived
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t) {
        clients.emplace_back([&] {
            while (!stop) {
                try {
                    HttpClient client(port);
                    auto res = client.request("POST", "/v1/messages",
                                              R"({"model":"anthropic:m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})",
                                              {"Authorization: Bearer " + token});
                    if (res.status == 200 && json::parse(res.body)["type"] == "message") {
                        std::lock_guard lock(mutex);
                        completed.insert(res.header("request-id"));
                    }
                } catch (const std::exception&) {
                    // The gateway is gone: the call did not complete.
                }
            }
        });
    }
    // Read the ledger while it is being written: whole records only, nothing malformed.
    auto ledger = dir / "data" / "ledger.jsonl";
    size_t reads_with_records = 0;
    auto until = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < until) {
        auto stats = ledger::for_each_record(ledger, [](const ledger::LedgerRecord&) {});
        CHECK(stats.malformed == 0);
        if (stats.records > 0) ++reads_with_records;
    }
    CHECK(reads_with_records > 0);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    stop = true;
    for (auto& c : clients) c.join();

    std::set<std::string> recorded;
    auto stats = ledger::for_each_record(ledger, [&](const ledger::LedgerRecord& r) { recorded.insert(r.request_id); });
    MESSAGE(completed.size() << " calls completed before the kill, " << stats.records << " records, "
                             << std::string(stats.torn_tail ? "a torn last line" : "no torn line"));
    REQUIRE(completed.size() > 10);
    size_t missing = 0;
    for (const auto& id : completed) missing += recorded.count(id) == 0;
    CHECK(missing == 0);
    CHECK(stats.malformed == 0);
}

}  // TEST_SUITE

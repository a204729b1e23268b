#pragma once
// HTTPS in front of a plain test server: a TLS listener on an ephemeral loopback port, with a
// self-signed certificate for 127.0.0.1 made at start, that relays each connection's bytes to
// and from `backend_port`. The certificate is written as PEM for clients to trust.
#include <filesystem>
#include <memory>
#include <string>

namespace otari::test {

class TlsFront {
  public:
    explicit TlsFront(int backend_port);
    ~TlsFront();
    TlsFront(const TlsFront&) = delete;
    TlsFront& operator=(const TlsFront&) = delete;

    int port() const;
    std::string url() const;  // "https://127.0.0.1:PORT"
    // The certificate (its own issuer), in a PEM file.
    const std::filesystem::path& ca_file() const;
    // Connections that completed a TLS handshake so far.
    int handshakes() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace otari::test

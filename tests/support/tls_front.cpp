#include "support/tls_front.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/loopback.hpp"
#include "support/scratch.hpp"

namespace otari::test {
namespace {

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("tls front: ") + what);
}

void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

}  // namespace

struct TlsFront::Impl {
    int backend_port = 0;
    int listen_fd = -1;
    int port = 0;
    std::filesystem::path ca_file;
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    SSL_CTX* ctx = nullptr;
    std::atomic<int> handshakes{0};
    std::thread acceptor;
    std::mutex mutex;
    std::vector<int> open_fds;  // client and backend sockets, shut down at the end
    std::vector<std::thread> relays;

    void make_certificate() {
        key = EVP_EC_gen("P-256");
        check(key != nullptr, "key");
        cert = X509_new();
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
        X509_set_pubkey(cert, key);
        X509_NAME* name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("otari test upstream"),
                                   -1, -1, 0);
        X509_set_issuer_name(cert, name);
        add_extension(cert, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert, NID_subject_alt_name, "IP:127.0.0.1");
        check(X509_sign(cert, key, EVP_sha256()) > 0, "sign");

        ca_file = scratch_dir("tls-front") / "ca.pem";
        std::FILE* f = std::fopen(ca_file.c_str(), "w");
        check(f != nullptr, "ca file");
        PEM_write_X509(f, cert);
        std::fclose(f);

        ctx = SSL_CTX_new(TLS_server_method());
        check(ctx != nullptr, "context");
        check(SSL_CTX_use_certificate(ctx, cert) == 1, "certificate");
        check(SSL_CTX_use_PrivateKey(ctx, key) == 1, "private key");
    }

    void listen() { listen_fd = listen_on_loopback(64, port, "tls front"); }

    int connect_backend() {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(uint16_t(backend_port));
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return -1;
        }
        return fd;
    }

    void accept_loop() {
        for (;;) {
            int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) return;  // shut down
            std::lock_guard lock(mutex);
            open_fds.push_back(fd);
            relays.emplace_back([this, fd] { relay(fd); });
        }
    }

    // One connection: the handshake, then bytes both ways until either side closes.
    void relay(int client_fd) {
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, client_fd);
        int backend_fd = -1;
        if (SSL_accept(ssl) == 1) {
            ++handshakes;
            backend_fd = connect_backend();
        }
        if (backend_fd >= 0) {
            {
                std::lock_guard lock(mutex);
                open_fds.push_back(backend_fd);
            }
            char buf[16384];
            for (;;) {
                pollfd fds[2] = {{client_fd, POLLIN, 0}, {backend_fd, POLLIN, 0}};
                if (SSL_pending(ssl) == 0 && ::poll(fds, 2, -1) < 0) break;
                if (SSL_pending(ssl) > 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
                    int n = SSL_read(ssl, buf, sizeof buf);
                    if (n <= 0 || !send_all(backend_fd, std::string_view(buf, size_t(n)))) break;
                }
                if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
                    ssize_t n = ::recv(backend_fd, buf, sizeof buf, 0);
                    if (n <= 0 || SSL_write(ssl, buf, int(n)) <= 0) break;
                }
            }
            ::shutdown(backend_fd, SHUT_RDWR);
        }
        SSL_shutdown(ssl);
        SSL_free(ssl);
        ::shutdown(client_fd, SHUT_RDWR);
    }
};

TlsFront::TlsFront(int backend_port) : m_impl(std::make_unique<Impl>()) {
    m_impl->backend_port = backend_port;
    m_impl->make_certificate();
    m_impl->listen();
    m_impl->acceptor = std::thread([this] { m_impl->accept_loop(); });
}

TlsFront::~TlsFront() {
    ::shutdown(m_impl->listen_fd, SHUT_RDWR);
    m_impl->acceptor.join();
    std::vector<std::thread> relays;
    {
        std::lock_guard lock(m_impl->mutex);
        for (int fd : m_impl->open_fds) ::shutdown(fd, SHUT_RDWR);
        relays.swap(m_impl->relays);
    }
    for (auto& t : relays) t.join();
    for (int fd : m_impl->open_fds) ::close(fd);
    ::close(m_impl->listen_fd);
    SSL_CTX_free(m_impl->ctx);
    X509_free(m_impl->cert);
    EVP_PKEY_free(m_impl->key);
}

int TlsFront::port() const { return m_impl->port; }
std::string TlsFront::url() const { return "https://127.0.0.1:" + std::to_string(m_impl->port); }
const std::filesystem::path& TlsFront::ca_file() const { return m_impl->ca_file; }
int TlsFront::handshakes() const { return m_impl->handshakes.load(); }

}  // namespace otari::test

// The HTTP/2 session on an accepted connection (cleartext with prior
// knowledge, or TLS after ALPN chose h2): Asio
// reads and writes around an H2Connection, requests go to the listener's
// handler exactly as HTTP/1.1 requests do (same router, dispatcher, CORS,
// request ids, metrics). The HTTP/1.1 session hands a connection over when
// its first bytes are the HTTP/2 preface; the TLS handshake does after ALPN.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "gateway/h2_connection.h"  // kH2Preface
#include "gateway/server.h"
#include "gateway/session_host.h"

namespace gateway {

// Starts serving HTTP/2 on `socket`, which runs on context `ctx` of `host`.
// `received` holds the bytes already read (the preface and maybe more).
void StartH2Session(SessionHost* host, size_t ctx, const ListenerOptions* listener, size_t max_body_bytes,
                    boost::asio::ip::tcp::socket socket, std::string remote_addr, std::string_view received);
// The same over a TLS stream whose handshake is done (requests get Request::tls).
void StartH2Session(SessionHost* host, size_t ctx, const ListenerOptions* listener, size_t max_body_bytes,
                    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream, std::string remote_addr,
                    std::string_view received);

}  // namespace gateway

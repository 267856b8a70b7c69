/* CivetWeb 1.15 (Debian 12's libcivetweb) looks up SSL_get_peer_certificate
 * in libssl at run time, and calls it for every HTTPS connection. OpenSSL 3
 * has it only as a macro for SSL_get1_peer_certificate, so the lookup
 * finds nothing and the first HTTPS request jumps to address 0
 * (civetweb/civetweb#1334).
 *
 * This file is built as a shared library whose SONAME is "libssl.so", the
 * name CivetWeb dlopens, and which depends on the real libssl.so.3. A
 * program links it (liveview_civetweb_tls in CMakeLists.txt), so it is
 * loaded first and CivetWeb's dlopen("libssl.so") returns it; CivetWeb's
 * lookups then find this function here and every other one in libssl.so.3
 * behind it. Nothing else changes. */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate
/* The OpenSSL 1.1 name, exported for CivetWeb: the peer's certificate with
 * a reference the caller releases (X509_free), as SSL_get1_peer_certificate
 * returns it. */
X509 *SSL_get_peer_certificate(const SSL *ssl);
X509 *SSL_get_peer_certificate(const SSL *ssl)
{
    return SSL_get1_peer_certificate(ssl);
}

/* Does nothing: a program that calls it is linked against this library,
 * which the linker would otherwise drop as unused (--as-needed), so it is
 * loaded before CivetWeb looks for libssl. */
void lv_civetweb_openssl3_compat(void);
void lv_civetweb_openssl3_compat(void)
{
}

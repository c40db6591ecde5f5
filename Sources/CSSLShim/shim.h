// CSSLShim: system OpenSSL (libssl, libcrypto) for NetIO.
// Exists because the Swift importer cannot see OpenSSL's function-like macros and its
// generated STACK_OF inline helpers. Each wrapper is named after the C name it wraps,
// prefixed `shim_`, with the same argument order and a one-line body.
#ifndef MAILENGINE_CSSLSHIM_H
#define MAILENGINE_CSSLSHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include "byte_queue_bio.h"

static inline long shim_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return SSL_CTX_set_min_proto_version(ctx, version); }
static inline long shim_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) { return SSL_CTX_set_max_proto_version(ctx, version); }
static inline long shim_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
static inline long shim_SSL_set_mode(SSL *ssl, long mode) { return SSL_set_mode(ssl, mode); }
static inline int shim_SSL_set_app_data(SSL *ssl, void *arg) { return SSL_set_app_data(ssl, arg); }
static inline void *shim_SSL_get_app_data(const SSL *ssl) { return SSL_get_app_data(ssl); }
static inline int shim_sk_X509_num(const STACK_OF(X509) *sk) { return sk_X509_num(sk); }
static inline X509 *shim_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }
static inline int shim_sk_GENERAL_NAME_num(const GENERAL_NAMES *sk) { return sk_GENERAL_NAME_num(sk); }
static inline GENERAL_NAME *shim_sk_GENERAL_NAME_value(const GENERAL_NAMES *sk, int i) { return sk_GENERAL_NAME_value(sk, i); }
static inline void shim_GENERAL_NAMES_free(GENERAL_NAMES *names) { GENERAL_NAMES_free(names); }
static inline void shim_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline unsigned long shim_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }
static inline const char *shim_OPENSSL_VERSION_TEXT(void) { return OPENSSL_VERSION_TEXT; }
/* Fields of GENERAL_NAME are a union; these read the two kinds a TLS report shows. */
static inline int shim_GENERAL_NAME_type(const GENERAL_NAME *n) { return n->type; }
static inline const ASN1_IA5STRING *shim_GENERAL_NAME_dNSName(const GENERAL_NAME *n) { return n->d.dNSName; }
static inline const ASN1_OCTET_STRING *shim_GENERAL_NAME_iPAddress(const GENERAL_NAME *n) { return n->d.iPAddress; }

#endif

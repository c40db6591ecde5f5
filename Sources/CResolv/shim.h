// CResolv: glibc's libresolv (resolv.h, arpa/nameser.h). Several of its names are macros
// (res_mkquery -> __res_mkquery, dn_expand -> __dn_expand, ns_msg_count, ns_rr_*), which Swift
// cannot import, so they are wrapped in static inline functions here.
#ifndef MAILENGINE_CRESOLV_H
#define MAILENGINE_CRESOLV_H
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>

/// A standard query (RFC 1035 §4.1) for `name` of `type` in class IN; returns its length or -1.
static inline int cresolv_mkquery(const char *name, int type, unsigned char *buf, int buflen) {
    return res_mkquery(ns_o_query, name, ns_c_in, type, NULL, 0, NULL, buf, buflen);
}

/// Expands a (possibly compressed) domain name at `src` inside the message [msg, eom); returns
/// the number of bytes it occupies at `src`, or -1 (out of bounds, loop, too long).
static inline int cresolv_expand(const unsigned char *msg, const unsigned char *eom,
                                 const unsigned char *src, char *dst, int dstsize) {
    return dn_expand(msg, eom, src, dst, dstsize);
}

static inline int cresolv_count(const ns_msg *msg, ns_sect section) { return ns_msg_count(*msg, section); }
static inline int cresolv_rcode(const ns_msg *msg) { return ns_msg_getflag(*msg, ns_f_rcode); }
static inline int cresolv_flag(const ns_msg *msg, int flag) { return ns_msg_getflag(*msg, flag); }
static inline unsigned cresolv_id(const ns_msg *msg) { return ns_msg_id(*msg); }
static inline int cresolv_rr_type(const ns_rr *rr) { return ns_rr_type(*rr); }
static inline int cresolv_rr_class(const ns_rr *rr) { return ns_rr_class(*rr); }
static inline int cresolv_rr_rdlen(const ns_rr *rr) { return ns_rr_rdlen(*rr); }
static inline const unsigned char *cresolv_rr_rdata(const ns_rr *rr) { return ns_rr_rdata(*rr); }
static inline const char *cresolv_rr_name(const ns_rr *rr) { return ns_rr_name(*rr); }
static inline const unsigned char *cresolv_msg_base(const ns_msg *msg) { return ns_msg_base(*msg); }
static inline const unsigned char *cresolv_msg_end(const ns_msg *msg) { return ns_msg_end(*msg); }
#endif

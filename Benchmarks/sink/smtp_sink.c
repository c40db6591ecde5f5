/*
 * smtp_sink: a fast SMTP sink for benchmarks, on 127.0.0.1 only. It accepts STARTTLS, any
 * AUTH PLAIN/LOGIN, PIPELINING, SIZE, 8BITMIME, CHUNKING (BDAT), counts what it receives and
 * throws it away. One thread per connection, replies buffered and flushed only before a read
 * would block, so pipelined clients get pipelined answers.
 *
 * usage: smtp_sink PORT CERT KEY [STATSFILE]
 * On SIGTERM it writes "messages bytes" to STATSFILE (if given) and exits.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static SSL_CTX *ctx;
static atomic_long messages, bytes;
static const char *stats_file;

typedef struct {
    int fd;
    SSL *ssl;
    char in[65536];
    size_t in_len, in_pos;
    char out[65536];
    size_t out_len;
} conn;

static int raw_read(conn *c, char *buf, size_t n) {
    if (c->ssl) {
        int r = SSL_read(c->ssl, buf, (int)n);
        return r > 0 ? r : 0;
    }
    ssize_t r;
    do { r = recv(c->fd, buf, n, 0); } while (r < 0 && errno == EINTR);
    return r > 0 ? (int)r : 0;
}

static int flush_out(conn *c) {
    size_t off = 0;
    while (off < c->out_len) {
        int w;
        if (c->ssl) w = SSL_write(c->ssl, c->out + off, (int)(c->out_len - off));
        else w = (int)send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        off += (size_t)w;
    }
    c->out_len = 0;
    return 0;
}

static void reply(conn *c, const char *s) {
    size_t n = strlen(s);
    if (c->out_len + n > sizeof c->out) flush_out(c);
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
}

/* Fills the input buffer; flushes pending replies first when no input is buffered. */
static int fill(conn *c) {
    if (c->in_pos > 0) {
        memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
        c->in_len -= c->in_pos;
        c->in_pos = 0;
    }
    int pending_ssl = c->ssl ? SSL_pending(c->ssl) : 0;
    if (pending_ssl == 0 && flush_out(c) < 0) return 0;
    int r = raw_read(c, c->in + c->in_len, sizeof c->in - c->in_len);
    if (r <= 0) return 0;
    c->in_len += (size_t)r;
    return 1;
}

/* Next line without CRLF into line (NUL-terminated); 0 at end of stream. */
static int read_line(conn *c, char *line, size_t cap, size_t *len) {
    for (;;) {
        char *nl = memchr(c->in + c->in_pos, '\n', c->in_len - c->in_pos);
        if (nl) {
            size_t n = (size_t)(nl - (c->in + c->in_pos));
            size_t copy = n < cap - 1 ? n : cap - 1;
            memcpy(line, c->in + c->in_pos, copy);
            if (copy > 0 && line[copy - 1] == '\r') copy--;
            line[copy] = 0;
            *len = n + 1;
            c->in_pos += n + 1;
            return 1;
        }
        if (c->in_len == sizeof c->in && c->in_pos == 0) c->in_len = 0; /* overlong line: drop */
        if (!fill(c)) return 0;
    }
}

static void *session(void *arg) {
    conn *c = arg;
    char line[2048];
    size_t len;
    reply(c, "220 sink.localhost ESMTP benchmark sink\r\n");
    while (read_line(c, line, sizeof line, &len)) {
        if (!strncasecmp(line, "EHLO", 4) || !strncasecmp(line, "HELO", 4)) {
            reply(c, "250-sink.localhost\r\n250-PIPELINING\r\n250-SIZE 209715200\r\n250-8BITMIME\r\n"
                     "250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n");
            reply(c, c->ssl ? "250 AUTH PLAIN LOGIN\r\n" : "250 STARTTLS\r\n");
        } else if (!strcasecmp(line, "STARTTLS") && !c->ssl) {
            reply(c, "220 2.0.0 Ready to start TLS\r\n");
            if (flush_out(c) < 0) break;
            c->in_len = c->in_pos = 0;
            c->ssl = SSL_new(ctx);
            SSL_set_fd(c->ssl, c->fd);
            if (SSL_accept(c->ssl) <= 0) break;
        } else if (!strncasecmp(line, "AUTH PLAIN", 10)) {
            if (strlen(line) <= 11) {
                reply(c, "334 \r\n");
                if (!read_line(c, line, sizeof line, &len)) break;
            }
            reply(c, "235 2.7.0 Authentication successful\r\n");
        } else if (!strncasecmp(line, "AUTH LOGIN", 10)) {
            reply(c, "334 VXNlcm5hbWU6\r\n");
            if (!read_line(c, line, sizeof line, &len)) break;
            reply(c, "334 UGFzc3dvcmQ6\r\n");
            if (!read_line(c, line, sizeof line, &len)) break;
            reply(c, "235 2.7.0 Authentication successful\r\n");
        } else if (!strncasecmp(line, "MAIL", 4)) {
            reply(c, "250 2.1.0 Ok\r\n");
        } else if (!strncasecmp(line, "RCPT", 4)) {
            reply(c, "250 2.1.5 Ok\r\n");
        } else if (!strcasecmp(line, "DATA")) {
            reply(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
            long n = 0;
            int ok = 0;
            while (read_line(c, line, sizeof line, &len)) {
                if (len <= 3 && line[0] == '.' && line[1] == 0) { ok = 1; break; }
                n += (long)len;
            }
            if (!ok) break;
            atomic_fetch_add(&messages, 1);
            atomic_fetch_add(&bytes, n);
            reply(c, "250 2.0.0 Ok: queued as SINK\r\n");
        } else if (!strncasecmp(line, "BDAT", 4)) {
            long want = strtol(line + 5, NULL, 10);
            int last = strcasestr(line, "LAST") != NULL;
            long got = 0;
            while (got < want) {
                size_t avail = c->in_len - c->in_pos;
                if (avail == 0) { if (!fill(c)) goto done; continue; }
                size_t take = (size_t)(want - got) < avail ? (size_t)(want - got) : avail;
                c->in_pos += take;
                got += (long)take;
            }
            atomic_fetch_add(&bytes, want);
            if (last) { atomic_fetch_add(&messages, 1); reply(c, "250 2.0.0 Ok: queued as SINK\r\n"); }
            else reply(c, "250 2.0.0 Ok\r\n");
        } else if (!strcasecmp(line, "RSET") || !strcasecmp(line, "NOOP")) {
            reply(c, "250 2.0.0 Ok\r\n");
        } else if (!strcasecmp(line, "QUIT")) {
            reply(c, "221 2.0.0 Bye\r\n");
            break;
        } else {
            reply(c, "502 5.5.2 Error: command not recognized\r\n");
        }
    }
done:
    flush_out(c);
    if (c->ssl) { SSL_shutdown(c->ssl); SSL_free(c->ssl); }
    close(c->fd);
    free(c);
    return NULL;
}

static void on_term(int sig) {
    (void)sig;
    if (stats_file) {
        FILE *f = fopen(stats_file, "w");
        if (f) { fprintf(f, "%ld %ld\n", atomic_load(&messages), atomic_load(&bytes)); fclose(f); }
    }
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s PORT CERT KEY [STATSFILE]\n", argv[0]); return 2; }
    stats_file = argc > 4 ? argv[4] : NULL;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_term);
    ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 128)) { perror("bind/listen"); return 1; }
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0) continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        pthread_t t;
        pthread_create(&t, NULL, session, c);
        pthread_detach(t);
    }
}

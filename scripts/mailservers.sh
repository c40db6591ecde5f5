# Sourced by scripts/servers: private Postfix (submission on STARTTLS and implicit TLS, SASL
# through Dovecot, delivery over LMTP) and Dovecot (IMAP 143-style STARTTLS and 993-style
# implicit TLS) under $T, on 127.0.0.1 high ports. Recipe: ../shared/knowledge/servers.md.
#
# Users (passwd-file, {PLAIN} so PLAIN, LOGIN, CRAM-MD5 and SCRAM all work):
#   alice@example.test / alice-secret, bob@example.test / bob-secret,
#   sink@example.test / sink-secret receives authenticated mail to any other domain (catch-all).

# A fifth port, when given, is a STARTTLS submission service whose message_size_limit is only
# 65536 bytes (EHLO SIZE 65536, 552 5.3.4 above it), for the message-size diagnoses; the other
# services keep the instance's 50 MB.
start_mail_servers() {
  local imap=$1 imaps=$2 submission=$3 submissions=$4 small=${5:-}
  mkdir -p "$T/dovecot/run" "$T/dovecot/state" "$T/mail" "$T/postfix/etc" "$T/postfix/queue" "$T/postfix/data"
  chown mail:mail "$T/mail"
  chown postfix "$T/postfix/data"
  cat > "$T/dovecot/users" <<USERS
alice@example.test:{PLAIN}alice-secret
bob@example.test:{PLAIN}bob-secret
sink@example.test:{PLAIN}sink-secret
USERS
  chown root:dovecot "$T/dovecot/users"; chmod 0640 "$T/dovecot/users"
  cat > "$T/dovecot/dovecot.conf" <<CONF
instance_name = mailengine-$(basename "$T")
base_dir = $T/dovecot/run
state_dir = $T/dovecot/state
log_path = $T/dovecot/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <$T/tls/good-chain.crt
ssl_key = <$T/tls/good.key
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
auth_failure_delay = 0
first_valid_uid = 8
first_valid_gid = 8
mail_uid = mail
mail_gid = mail
mail_privileged_group =
mail_location = maildir:~/Maildir
default_internal_user = dovecot
default_login_user = dovenull
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}
passdb {
  driver = passwd-file
  args = $T/dovecot/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$T/mail/%Lu
}
# Test suites log in as the same users from parallel suites; Dovecot's default of 10 sessions
# per user and address would refuse some of them.
protocol imap {
  mail_max_userip_connections = 200
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service lmtp {
  unix_listener lmtp-postfix {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
CONF
  setsid dovecot -F -c "$T/dovecot/dovecot.conf" </dev/null >"$T/dovecot/stderr.log" 2>&1 &
  echo $! >> "$T/pids"

  printf 'alice@example.test x\nbob@example.test x\nsink@example.test x\n' > "$T/postfix/etc/vmailbox"
  printf 'if !/@example\\.test$/\n/^/ sink@example.test\nendif\n' > "$T/postfix/etc/catchall"
  cat > "$T/postfix/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $T/postfix/queue
data_directory = $T/postfix/data
maillog_file_prefixes = $T
maillog_file = $T/postfix/postfix.log
myhostname = localhost
mydomain = example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_transport = error:5.1.1 local delivery disabled in test instance
alias_maps =
alias_database =
relayhost =
default_transport = error:5.7.1 outbound delivery disabled in test instance
relay_transport = \$default_transport
local_header_rewrite_clients =
message_size_limit = 52428800
virtual_mailbox_domains = example.test
virtual_mailbox_maps = texthash:$T/postfix/etc/vmailbox
virtual_alias_domains =
virtual_alias_maps = regexp:$T/postfix/etc/catchall
virtual_transport = lmtp:unix:$T/dovecot/run/lmtp-postfix
smtpd_tls_cert_file = $T/tls/good-chain.crt
smtpd_tls_key_file = $T/tls/good.key
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $T/dovecot/run/auth-postfix
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
CONF
  cat > "$T/postfix/etc/master.cf" <<CONF
127.0.0.1:$submission inet n - n - - smtpd
  -o syslog_name=postfix/submission
127.0.0.1:$submissions inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
${small:+127.0.0.1:$small inet n - n - - smtpd
  -o syslog_name=postfix/submission-small
  -o message_size_limit=65536}
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
proxywrite unix - - n -  1 proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
lmtp      unix  - - n -  - lmtp
virtual   unix  - n n -  - virtual
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
  # Postfix re-reads "hot" config files for ~2 s per process; backdate them.
  touch -d '-1 min' "$T/postfix/etc/"*
  # Dovecot first: Postfix defers mail for 300 s if the LMTP socket is missing.
  for _ in $(seq 100); do [ -S "$T/dovecot/run/lmtp-postfix" ] && break; sleep 0.05; done
  postfix -c "$T/postfix/etc" check >/dev/null 2>&1 || true
  setsid /usr/lib/postfix/sbin/master -c "$T/postfix/etc" -d </dev/null >"$T/postfix/master.log" 2>&1 &
  echo $! >> "$T/pids"
}

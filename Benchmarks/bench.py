#!/usr/bin/env python3
"""Side-by-side benchmarks: MailEngine (the release-built `mailbench`) and its peers (Python
smtplib/imaplib/email, curl, msmtp, mbsync, openssl), in one run, on 127.0.0.1 only.

Called by scripts/bench, which installs the peers, builds the sink and mailbench, and starts
Dovecot. Every case runs several times, engine and peers alternating; each run is one process
under the small `rusage` helper (Benchmarks/rusage), whose wait4(2) gives its CPU seconds and
peak RSS (what /usr/bin/time reports, to the microsecond), the same way for all.
Writes BENCHMARKS.md (path given by --out).
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers")


class Result:
    def __init__(self, wall, cpu, rss_kib, ok, note=""):
        self.wall, self.cpu, self.rss_kib, self.ok, self.note = wall, cpu, rss_kib, ok, note
        self.server_cpu = None  # CPU seconds of the server's processes during the run, when measured


CLK_TCK = os.sysconf("SC_CLK_TCK")


def process_tree_cpu(root_pid):
    """CPU seconds (utime+stime+cutime+cstime, /proc/<pid>/stat) of `root_pid` and all its live
    descendants. A child that exits is reaped by its parent, whose cutime/cstime then carry it, so
    the sum only grows and the difference of two readings is the CPU the tree used between them."""
    parent, ticks = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            text = open("/proc/%s/stat" % name).read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
        pid = int(name)
        parent[pid] = int(fields[1])
        ticks[pid] = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    total, stack, seen = 0, [root_pid], set()
    children = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in ticks:
            continue
        seen.add(pid)
        total += ticks[pid]
        stack.extend(children.get(pid, []))
    return total / CLK_TCK


def read_pid(path):
    try:
        return int(open(path).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


RUSAGE = None  # the compiled Benchmarks/rusage/rusage.c (--rusage)


def timed(cmd, env=None, stdin=None, timeout=300):
    """Runs cmd under the `rusage` helper; returns a Result: wall time from our clock, CPU seconds
    (user+sys) and peak RSS from the command's wait4(2) rusage (what /usr/bin/time reports, to the
    microsecond instead of rounded to 10 ms)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rusage") as tf:
        start = time.monotonic()
        # A session of its own: on a timeout the whole group goes (the helper, the command and
        # whatever it started, such as the eight senders of the parallel smtplib case).
        p = subprocess.Popen([RUSAGE, tf.name] + cmd, env=env, stdin=stdin, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return Result(timeout, 0, 0, False, "timed out")
        wall = time.monotonic() - start
        fields = open(tf.name).read().split()
    if len(fields) != 3:
        return Result(wall, 0, 0, False, "rusage: " + err.decode(errors="replace").strip()[-160:])
    note = ""
    if p.returncode != 0:
        note = (err.decode(errors="replace").strip().splitlines() or ["exit %d" % p.returncode])[-1][:160]
    return Result(wall, float(fields[0]) + float(fields[1]), int(fields[2]), p.returncode == 0, note)


class Case:
    """One benchmark: a unit of work (messages, bytes) and one command per contender."""

    def __init__(self, group, name, messages, nbytes, contenders, runs, server_pid_file=None):
        self.group, self.name, self.messages, self.nbytes = group, name, messages, nbytes
        # The server's master process (e.g. Dovecot's master.pid): its tree's CPU is measured per run.
        self.server_pid_file = server_pid_file
        self.contenders = contenders  # list of (label, setup_fn or None, cmd)
        self.runs = runs
        self.results = {label: [] for label, _, _ in contenders}


def run_case(case, log):
    if case.server_pid_file and case.contenders:
        # One untimed fetch first: the server's caches (Dovecot builds its index cache on the
        # first FETCH of a freshly seeded mailbox) would otherwise slow whoever runs first.
        label, setup, cmd = case.contenders[0]
        if setup:
            setup()
        res = timed(cmd)
        time.sleep(0.3)  # as after every counted run: the session's server processes exit first
        log.write("%s / %s / warm-up (%s, not counted): %.3fs %s\n" % (
            case.group, case.name, label, res.wall, "ok" if res.ok else "FAILED " + res.note))
    for r in range(case.runs):
        order = case.contenders if r % 2 == 0 else list(reversed(case.contenders))
        for label, setup, cmd in order:
            if setup:
                setup()
            server = read_pid(case.server_pid_file) if case.server_pid_file else None
            before = process_tree_cpu(server) if server else None
            res = timed(cmd)
            if server:
                time.sleep(0.3)  # let the session's imap / imap-login processes exit and be reaped
                res.server_cpu = process_tree_cpu(server) - before
            case.results[label].append(res)
            log.write("%s / %s / %s run %d: %.3fs cpu %.3fs rss %d KiB%s %s\n" % (
                case.group, case.name, label, r + 1, res.wall, res.cpu, res.rss_kib,
                "" if res.server_cpu is None else " server cpu %.2fs" % res.server_cpu,
                "ok" if res.ok else "FAILED " + res.note))
            log.flush()


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def fmt_rate(v):
    return "%.0f" % v if v >= 100 else "%.1f" % v


def render(cases, refs, out_path, started, env_line):
    lines = []
    lines.append("# Benchmarks\n")
    lines.append("Written by `scripts/bench` on %s (%s). One machine, one run: every figure below was "
                 "measured in the same run, contenders alternating, on 127.0.0.1. Each cell is the median of "
                 "the runs (five for IMAP, after one untimed fetch that warms the server's caches; three "
                 "elsewhere), with min-max of wall time; rates are computed from the median wall time. Peak RSS "
                 "and CPU seconds (user+sys) come from the rusage of the whole process (wait4(2) in `Benchmarks/rusage`, as `/usr/bin/time` reports them, to the microsecond). `x best peer`: "
                 "this engine's rate divided by the best peer's rate in the same case (above 1 is faster). "
                 "`mailbench` is built with `swift build -c release --static-swift-stdlib`.\n"
                 % (started, env_line))
    lines.append("## Reference limits of this machine\n")
    for k, v in refs:
        lines.append("- %s: %s" % (k, v))
    lines.append("")
    group = None
    for c in cases:
        if c.group != group:
            group = c.group
            lines.append("## %s\n" % group)
        lines.append("### %s\n" % c.name)
        server = bool(c.server_pid_file)
        # With the server's CPU measured: its median CPU seconds per run, and the client's median
        # wall time divided by it (the server-bound limit: 1.00 means as fast as the server can serve).
        extra_h = " server CPU s | wall / server CPU |" if server else ""
        lines.append("| contender | runs ok | median s | min-max s | msg/s | MB/s | CPU s | peak RSS MiB | x best peer |" + extra_h)
        lines.append("|---|---|---|---|---|---|---|---|---|" + ("---|---|" if server else ""))
        rates = {}
        for label, _, _ in c.contenders:
            ok = [r for r in c.results[label] if r.ok]
            if ok:
                med = statistics.median(r.wall for r in ok)
                rates[label] = (c.messages / med if c.messages else 0, c.nbytes / med / 1e6 if c.nbytes else 0)
        peer_best = max([v for k, v in rates.items() if not k.startswith("MailEngine")] or [(0, 0)])
        for label, _, _ in c.contenders:
            res = c.results[label]
            ok = [r for r in res if r.ok]
            if not ok:
                why = res[0].note if res else "not run"
                lines.append("| %s | 0/%d | failed: %s | | | | | | |" % (label, len(res), why.replace("|", "/"))
                             + (" | |" if server else ""))
                continue
            walls = [r.wall for r in ok]
            med = statistics.median(walls)
            msg, mb = rates[label]
            ratio = ""
            if label.startswith("MailEngine") and (peer_best[0] or peer_best[1]):
                key = 0 if c.messages else 1
                if peer_best[key]:
                    ratio = "%.2f" % ((msg, mb)[key] / peer_best[key])
            extra = ""
            if server:
                scpu = [r.server_cpu for r in ok if r.server_cpu is not None]
                smed = statistics.median(scpu) if scpu else None
                extra = " %s | %s |" % ("%.2f" % smed if smed is not None else "",
                                        "%.2f" % (med / smed) if smed else "")
            lines.append("| %s | %d/%d | %.3f | %.3f-%.3f | %s | %s | %.3f | %.1f | %s |%s" % (
                label, len(ok), len(res), med, min(walls), max(walls),
                fmt_rate(msg) if c.messages else "", fmt_rate(mb) if c.nbytes else "",
                statistics.median(r.cpu for r in ok), statistics.median(r.rss_kib for r in ok) / 1024, ratio, extra))
        lines.append("")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def sections(text):
    """The text before the first `## ` heading, and the `## ` sections as (title, text) in order."""
    parts = re.split(r"(?m)^(?=## )", text)
    head, rest = parts[0], parts[1:]
    return head, [(p.split("\n", 1)[0][3:].strip(), p) for p in rest]


def splice(base, fresh, groups, note):
    """`base` with each `## GROUP` section of `groups` replaced by that section of `fresh`, `note`
    under its heading; every other section (and the hand-written notes) kept as it was."""
    head, old = sections(base)
    _, new = sections(fresh)
    new = dict(new)
    out = [head]
    for title, text in old:
        if title.upper() in groups and title in new:
            heading, body = new[title].split("\n", 1)
            out.append(heading + "\n\n" + note + body)
        else:
            out.append(text)
    return "".join(out)


def reference_limits():
    refs = []
    try:
        p = subprocess.run(["openssl", "speed", "-seconds", "2", "-bytes", "16384", "-evp", "aes-128-gcm"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60, text=True)
        m = re.search(r"aes-128-gcm\s+([\d.]+)k", p.stdout, re.I)
        if m:
            refs.append(("`openssl speed -evp aes-128-gcm` (16 KiB blocks, one core)", "%.0f MB/s" % (float(m.group(1)) * 1000 / 1e6)))
    except Exception as e:  # noqa: BLE001
        refs.append(("openssl speed", "failed: %s" % e))
    p = subprocess.run(["dd", "if=/dev/zero", "of=/dev/null", "bs=1M", "count=20000"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    m = re.search(r"([\d.,]+) ([GM]B)/s", p.stderr)
    if m:
        refs.append(("memory copy (`dd bs=1M` /dev/zero to /dev/null)", "%s %s/s" % (m.group(1), m.group(2))))
    with tempfile.NamedTemporaryFile() as f:
        f.write(os.urandom(64 * 1024 * 1024))
        f.flush()
        start = time.monotonic()
        subprocess.run(["openssl", "base64", "-in", f.name, "-out", "/dev/null"], check=True)
        refs.append(("`openssl base64` encode (64 MiB)", "%.0f MB/s" % (64 * 1024 * 1024 / (time.monotonic() - start) / 1e6)))
    refs.append(("cores", str(os.cpu_count())))
    return refs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="JSON written by scripts/bench")
    ap.add_argument("--out", required=True)
    ap.add_argument("--rusage", required=True, help="the compiled Benchmarks/rusage/rusage.c")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="smaller counts, one run (a smoke test)")
    ap.add_argument("--only", default="", help="comma-separated groups (SMTP, IMAP, MIME) to run; their sections "
                    "replace the same sections of an existing --out, the rest of it is kept")
    args = ap.parse_args()
    global RUSAGE
    RUSAGE = os.path.abspath(args.rusage)
    only = {g.strip().upper() for g in args.only.split(",") if g.strip()}
    wanted = lambda group: not only or group in only
    cfg = json.load(open(args.config))
    runs = 1 if args.quick else args.runs
    scale = 10 if args.quick else 1
    work = cfg["work"]
    mb = cfg.get("mailbench")
    sink = cfg["sink"]
    ca = cfg["ca"]
    py = sys.executable
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    env_line = "%s, %d cores, %s" % (platform.machine(), os.cpu_count(), platform.platform())
    log = open(os.path.join(work, "bench.log"), "w")
    cases = []

    def engine(label, *a):
        return [(label, None, [mb] + list(a))] if mb else []

    # --- SMTP ---------------------------------------------------------------------------
    small_n, small_size = 2000 // scale, 2048
    smtp_common = ["--host", "localhost", "--port", str(sink), "--ca", ca, "--user", "bench", "--password", "bench"]
    big_n, big_size = max(20 // scale, 2), 5 * 1024 * 1024
    par_conn, par_n = 8, 500 // scale
    curl_small = os.path.join(work, "curl-small.cfg")
    curl_big = os.path.join(work, "curl-big.cfg")
    subprocess.run([py, os.path.join(PEERS, "make_messages.py"), work, str(small_n), str(small_size),
                    str(big_n), str(big_size), str(sink), ca], check=True)
    # MailEngine streams the same files the peers send (curl's upload-file, smtplib's read).
    small_eml, big_eml = os.path.join(work, "small.eml"), os.path.join(work, "big.eml")
    cases.append(Case("SMTP", "%d messages of 2 KB on one connection, STARTTLS + AUTH PLAIN" % small_n, small_n,
                      small_n * small_size,
                      engine("MailEngine (PIPELINING)", "smtp", *smtp_common, "--count", str(small_n), "--message-file", small_eml)
                      + engine("MailEngine (no PIPELINING)", "smtp", *smtp_common, "--count", str(small_n), "--message-file", small_eml,
                               "--no-pipelining")
                      + [("Python smtplib", None, [py, os.path.join(PEERS, "smtplib_send.py"), "localhost", str(sink), ca,
                                                   os.path.join(work, "small.eml"), str(small_n)]),
                         ("curl", None, ["curl", "-s", "--config", curl_small])],
                      runs))
    msmtp_n = max(small_n // 10, 20)
    cases.append(Case("SMTP", "%d messages of 2 KB, msmtp (one process and connection per message) vs MailEngine" % msmtp_n,
                      msmtp_n, msmtp_n * small_size,
                      engine("MailEngine (PIPELINING)", "smtp", *smtp_common, "--count", str(msmtp_n), "--message-file", small_eml)
                      + [("msmtp", None, ["bash", os.path.join(PEERS, "msmtp_loop.sh"), os.path.join(work, "msmtprc"),
                                          os.path.join(work, "small.eml"), str(msmtp_n)])],
                      runs))
    cases.append(Case("SMTP", "%d messages with a 5 MB attachment, one connection" % big_n, big_n, big_n * big_size,
                      engine("MailEngine", "smtp", *smtp_common, "--count", str(big_n), "--message-file", big_eml)
                      + [("Python smtplib", None, [py, os.path.join(PEERS, "smtplib_send.py"), "localhost", str(sink), ca,
                                                   os.path.join(work, "big.eml"), str(big_n)]),
                         ("curl", None, ["curl", "-s", "--config", curl_big])],
                      runs))
    cases.append(Case("SMTP", "%d parallel connections x %d messages of 2 KB" % (par_conn, par_n), par_conn * par_n,
                      par_conn * par_n * small_size,
                      engine("MailEngine (PIPELINING)", "smtp", *smtp_common, "--count", str(par_n), "--message-file", small_eml,
                             "--connections", str(par_conn))
                      + [("Python smtplib (8 processes)", None, ["bash", "-c", " & ".join(
                          "%s %s localhost %d %s %s %d" % (py, os.path.join(PEERS, "smtplib_send.py"), sink, ca,
                                                          os.path.join(work, "small.eml"), par_n) for _ in range(par_conn)) + "; wait"])],
                      runs))

    # --- IMAP ---------------------------------------------------------------------------
    imap = cfg.get("imap")
    if imap:
        imap_args = ["--host", "localhost", "--port", str(imap["port"]), "--ca", ca, "--user", imap["user"],
                     "--password", imap["password"]]
        for folder, count, nbytes, what in [(imap["small_folder"], imap["small_count"], imap["small_bytes"], "whole"),
                                           (imap["big_folder"], imap["big_count"], imap["big_bytes"], "whole"),
                                           (imap["small_folder"], imap["small_count"], 0, "envelope")]:
            title = "%d messages (%s) fetched %s over TLS" % (
                count, "%.0f KB" % (nbytes / count / 1000) if nbytes else "small",
                "whole (BODY.PEEK[])" if what == "whole" else "ENVELOPE only")
            contenders = engine("MailEngine", "imap-fetch", *imap_args, "--mailbox", folder, "--what", what) + [
                ("Python imaplib", None, [py, os.path.join(PEERS, "imaplib_fetch.py"), "localhost", str(imap["port"]), ca,
                                          imap["user"], imap["password"], folder, what])]
            if what == "whole":
                contenders.append(("mbsync", lambda: fresh_dir(os.path.join(work, "mbsync-store")),
                                   ["bash", os.path.join(PEERS, "mbsync_run.sh"), os.path.join(work, "mbsyncrc-" + folder)]))
            # Five runs: a small-message fetch lasts a quarter of a second, and its CPU figures move
            # with the load of the shared machine.
            imap_runs = runs if args.quick else max(runs, 5)
            cases.append(Case("IMAP", title, count, nbytes, contenders, imap_runs,
                              server_pid_file=imap.get("server_pid_file")))

    # --- MIME ---------------------------------------------------------------------------
    if wanted("MIME"):
        for size_mb in (20, 100):
            size = size_mb * 1024 * 1024 // scale
            att = os.path.join(work, "attach-%d.bin" % size_mb)
            if not os.path.exists(att):
                with open(att, "wb") as f:
                    for _ in range(size // (1 << 20) or 1):
                        f.write(os.urandom(1 << 20))
            target = "/dev/null" if size_mb == 100 else "memory"
            cases.append(Case("MIME", "build a message with a %d MiB attachment, written to %s" % (size // (1 << 20), target), 0, size,
                              engine("MailEngine", "mime-build", "--attachment", att, "--to", target)
                              + [("Python email", None, [py, os.path.join(PEERS, "email_build.py"), att, target])],
                              runs))
        parse_src = os.path.join(work, "parse-20.eml")
        subprocess.run([py, os.path.join(PEERS, "email_build.py"), os.path.join(work, "attach-20.bin"), parse_src], check=True)
        psize = os.path.getsize(parse_src)
        cases.append(Case("MIME", "parse a %.0f MB message and decode its attachment" % (psize / 1e6), 0, psize,
                          # Streaming (MIMEStreamParser, bounded memory) is what an application does with a
                          # big message; the whole tree in memory (MIMEParser.parse) is shown beside it.
                          # Both decode the attachment completely, as the Python peer's get_content() does.
                          engine("MailEngine (streaming)", "mime-parse", "--mode", "stream", parse_src)
                          + engine("MailEngine (whole tree in memory)", "mime-parse", "--mode", "tree", parse_src)
                          + [("Python email", None, [py, os.path.join(PEERS, "email_parse.py"), parse_src])],
                          runs))
        b64_in = os.path.join(work, "attach-20.bin")
        b64_size = os.path.getsize(b64_in)
        b64_enc = os.path.join(work, "attach-20.b64")
        subprocess.run(["openssl", "base64", "-in", b64_in, "-out", b64_enc], check=True)
        qp_in = parse_src
        for codec, src, nbytes in [("base64 encode", b64_in, b64_size), ("base64 decode", b64_enc, os.path.getsize(b64_enc)),
                                   ("quoted-printable encode", qp_in, os.path.getsize(qp_in))]:
            mode = codec.split()[0] + "-" + codec.split()[-1]
            contenders = engine("MailEngine", "codec", mode, src)
            if codec.startswith("base64"):
                flag = [] if codec.endswith("encode") else ["-d"]
                contenders.append(("openssl base64", None, ["openssl", "base64"] + flag + ["-in", src, "-out", "/dev/null"]))
            contenders.append(("Python (binascii / quopri)", None, [py, os.path.join(PEERS, "codec.py"), mode, src]))
            cases.append(Case("MIME", "%s, %.0f MB" % (codec, nbytes / 1e6), 0, nbytes, contenders, runs))

    cases = [c for c in cases if wanted(c.group)]
    if only and os.path.exists(args.out):
        # Only these groups: their sections replace the same ones of the existing file.
        base = open(args.out).read()
        def write_spliced():
            tmp = args.out + ".part"
            render(cases, [], tmp, started, env_line)
            fresh = open(tmp).read()
            os.remove(tmp)
            note = ("Re-run on %s with `scripts/bench --only %s` (%s), `mailbench` built with "
                    "`--static-swift-stdlib`; the other sections are from the run named at the top.\n"
                    % (started, ",".join(sorted(only)), env_line))
            open(args.out, "w").write(splice(base, fresh, only, note))
        for c in cases:
            run_case(c, log)
            write_spliced()  # partial tables as we go
    else:
        for c in cases:
            run_case(c, log)
            render(cases, [], args.out, started, env_line)  # partial table as we go
        refs = reference_limits()
        render(cases, refs, args.out, started, env_line)
    if not mb:
        with open(args.out, "a") as f:
            f.write("\n**mailbench was not built: only the peers ran.**\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()

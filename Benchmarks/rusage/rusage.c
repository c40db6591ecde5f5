/* rusage: runs a command and writes its CPU seconds (user, system) and peak RSS (KiB), as
 * wait4(2) reports them, to the file named by the first argument: "utime stime maxrss", to the
 * microsecond, where /usr/bin/time rounds to 10 ms. Forked from this small process, the command's
 * peak RSS is its own: a child forked straight from the (larger) Python bench driver would have
 * the driver's RSS recorded as its high-water mark when it execs. Exit status: the command's. */
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: rusage OUTFILE COMMAND [ARG...]\n");
        return 125;
    }
    pid_t helper = getpid();
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 125; }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  /* killed with this helper (the bench's timeout) */
        if (getppid() != helper) _exit(125);  /* the helper is already gone */
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) { perror("wait4"); return 125; }
    FILE *out = fopen(argv[1], "w");
    if (!out) { perror(argv[1]); return 125; }
    fprintf(out, "%ld.%06ld %ld.%06ld %ld\n", (long)usage.ru_utime.tv_sec, (long)usage.ru_utime.tv_usec,
            (long)usage.ru_stime.tv_sec, (long)usage.ru_stime.tv_usec, usage.ru_maxrss);
    fclose(out);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

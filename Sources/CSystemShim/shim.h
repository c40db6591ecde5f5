// CSystemShim: Linux system headers that Swift's Glibc module does not export (epoll, timerfd).
#ifndef MAILENGINE_CSYSTEMSHIM_H
#define MAILENGINE_CSYSTEMSHIM_H
#include <sys/epoll.h>
#include <sys/timerfd.h>
#endif

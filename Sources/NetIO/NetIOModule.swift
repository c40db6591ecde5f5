// NetIO: sockets, deadlines, TLS and the transcript.

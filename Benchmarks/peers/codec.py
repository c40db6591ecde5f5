#!/usr/bin/env python3
"""Python's C codecs (binascii, quopri) on a whole file: base64-encode, base64-decode, quoted-printable-encode."""
import binascii, quopri, sys
mode, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if mode == "base64-encode":
    out = b"".join(binascii.b2a_base64(data[i:i + 57]) for i in range(0, len(data), 57))
elif mode == "base64-decode":
    out = binascii.a2b_base64(data.replace(b"\n", b""))
elif mode == "quoted-printable-encode":
    out = quopri.encodestring(data)
else:
    sys.exit("unknown mode " + mode)

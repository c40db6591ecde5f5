#!/usr/bin/python3
"""Writes corpus/*.eml: messages shaped like what real mailers send (header order, boundary
styles, encodings, known quirks). Rerun only to change the corpus; the files are committed.
The attachment bytes are deterministic so tests can check them."""
import base64
import quopri
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + width] for i in range(0, len(s), width))


def pdf(n):
    return b"%PDF-1.7\n" + bytes((i * 7 + 3) % 256 for i in range(n)) + b"\n%%EOF\n"


def write(name, text, crlf=True, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    else:
        data = data.replace(b"\r\n", b"\n")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# Outlook 16 / Exchange: windows-1252 Q-encoded subject, "Last, First" names, RFC 2047 file
# names in both name= and filename= (not RFC 2231), NextPart boundaries, Thread-Index.
write("outlook.eml", f"""Received: from EX01.corp.example (10.0.0.5) by EX02.corp.example (10.0.0.6)
 with Microsoft SMTP Server id 15.1.2507.6; Mon, 3 Nov 2026 09:14:02 +0100
From: =?iso-8859-1?Q?M=FCller=2C_Hans?= <hans.mueller@corp.example>
To: "Shop Zentrale" <shop@example.com>
CC: =?Windows-1252?Q?Buchhaltung_=96_Nord?= <buha@corp.example>
Subject: =?Windows-1252?Q?AW:_Rechnung_1042_f=FCr_M=FCller_=96_Bitte_pr=FCfen?=
Thread-Topic: Rechnung 1042
Thread-Index: AdpOyU2mWm9Qb3NxTjCkq3dHwXYzPA==
Date: Mon, 3 Nov 2026 08:14:01 +0000
Message-ID: <AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12@AM0PR01MB5555.eurprd01.prod.exchangelabs.com>
References: <fixed-id-1042@example.com>
In-Reply-To: <fixed-id-1042@example.com>
Accept-Language: de-DE, en-US
Content-Language: de-DE
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator:
Content-Type: multipart/mixed;
\tboundary="_004_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_"
MIME-Version: 1.0

--_004_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_
Content-Type: multipart/alternative;
\tboundary="_000_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_"

--_000_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Hallo,

anbei die korrigierte Rechnung. Gr=FC=DFe aus K=F6ln
Hans M=FCller

--_000_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

<html><head><meta http-equiv=3D"Content-Type" content=3D"text/html; charset=
=3Diso-8859-1"></head><body><p>Hallo,</p><p>anbei die korrigierte Rechnung.=
 Gr=FC=DFe aus K=F6ln</p></body></html>

--_000_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_--

--_004_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_
Content-Type: application/pdf;
\tname="=?iso-8859-1?Q?Rechnung_1042_f=FCr_M=FCller.pdf?="
Content-Description: =?iso-8859-1?Q?Rechnung_1042_f=FCr_M=FCller.pdf?=
Content-Disposition: attachment;
\tfilename="=?iso-8859-1?Q?Rechnung_1042_f=FCr_M=FCller.pdf?="; size=2010;
\tcreation-date="Mon, 03 Nov 2026 08:13:00 GMT";
\tmodification-date="Mon, 03 Nov 2026 08:13:00 GMT"
Content-Transfer-Encoding: base64

{b64(pdf(2000))}

--_004_AM0PR01MB5555B4C9C1F2F1D2E8E9A7C3D3A12AM0PR01MB5555eurp_--
""")

# Gmail: 000000000000 boundaries, text QP, HTML base64, attachment with RFC 2047 names,
# X-Attachment-Id and Content-ID on a normal attachment.
csv = "Artikel;Menge\r\nKäse;2\r\nBrot;1\r\n".encode()
html = '<div dir="ltr">Bestellung für <b>Zürich</b> ✅<br></div>\r\n'.encode()
write("gmail.eml", f"""MIME-Version: 1.0
Date: Tue, 4 Nov 2026 11:02:33 +0100
Message-ID: <CAF1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ=AbCdEfGh@mail.gmail.com>
Subject: =?UTF-8?Q?Bestellung_f=C3=BCr_Z=C3=BCrich_=E2=9C=85?=
From: =?UTF-8?B?SsO8cmdlbiBHcm/Dnw==?= <juergen.gross@gmail.example>
To: shop@example.com
Content-Type: multipart/mixed; boundary="0000000000004f1a2b05f3c9d8e7"

--0000000000004f1a2b05f3c9d8e7
Content-Type: multipart/alternative; boundary="0000000000004f1a2a05f3c9d8e5"

--0000000000004f1a2a05f3c9d8e5
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Bestellung f=C3=BCr Z=C3=BCrich =E2=9C=85

--0000000000004f1a2a05f3c9d8e5
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: base64

{b64(html)}
--0000000000004f1a2a05f3c9d8e5--
--0000000000004f1a2b05f3c9d8e7
Content-Type: text/csv; charset="UTF-8"; name="=?UTF-8?B?QmVzdGVsbHVuZyBaw7xyaWNoLmNzdg==?="
Content-Disposition: attachment; filename="=?UTF-8?B?QmVzdGVsbHVuZyBaw7xyaWNoLmNzdg==?="
Content-Transfer-Encoding: base64
Content-ID: <f_lm3x9k2a0>
X-Attachment-Id: f_lm3x9k2a0

{b64(csv)}
--0000000000004f1a2b05f3c9d8e7--
""")

# Apple Mail: Apple-Mail=_ boundaries, RFC 2231 file name, inline image in related,
# Mime-Version with a comment, format=flowed text.
png = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + bytes(range(200))
write("apple-mail.eml", f"""From: =?utf-8?Q?Chlo=C3=A9_Dupont?= <chloe@icloud.example>
Content-Type: multipart/alternative;
\tboundary="Apple-Mail=_5E3F2A10-7B2C-4D1E-9F8A-1C2B3D4E5F60"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.300.61.1.2\\))
Subject: =?utf-8?Q?Photo_de_la_vitrine_=E2=80=93_d=C3=A9cembre?=
Message-Id: <8D2F1C3B-4A5E-4F6A-8B7C-9D0E1F2A3B4C@icloud.example>
Date: Wed, 5 Nov 2026 18:45:12 +0100
To: Shop <shop@example.com>
X-Mailer: Apple Mail (2.3774.300.61.1.2)


--Apple-Mail=_5E3F2A10-7B2C-4D1E-9F8A-1C2B3D4E5F60
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain;
\tcharset=utf-8

Bonjour, voici la photo de la vitrine =E2=80=93 =C3=A0 bient=C3=B4t.

--Apple-Mail=_5E3F2A10-7B2C-4D1E-9F8A-1C2B3D4E5F60
Content-Type: multipart/related;
\ttype="text/html";
\tboundary="Apple-Mail=_7A8B9C0D-1E2F-4A3B-8C4D-5E6F7A8B9C0D"


--Apple-Mail=_7A8B9C0D-1E2F-4A3B-8C4D-5E6F7A8B9C0D
Content-Transfer-Encoding: 7bit
Content-Type: text/html;
\tcharset=us-ascii

<html><body>Bonjour<img src="cid:3F1A2B3C-vitrine@icloud.example"></body></html>
--Apple-Mail=_7A8B9C0D-1E2F-4A3B-8C4D-5E6F7A8B9C0D
Content-Transfer-Encoding: base64
Content-Disposition: inline;
\tfilename*=utf-8''vitrine%20d%C3%A9cembre.png
Content-Type: image/png;
\tx-unix-mode=0644;
\tname="=?utf-8?Q?vitrine_d=C3=A9cembre=2Epng?="
Content-Id: <3F1A2B3C-vitrine@icloud.example>

{b64(png)}
--Apple-Mail=_7A8B9C0D-1E2F-4A3B-8C4D-5E6F7A8B9C0D--

--Apple-Mail=_5E3F2A10-7B2C-4D1E-9F8A-1C2B3D4E5F60--
""")

# An old ISO-8859-1 mailer: LF-only lines, no MIME-Version, raw 8-bit Latin-1 in Subject and
# body, an RFC 2231 file name split over continuations in ISO-8859-1.
write("old-latin1.eml", """Return-Path: <kasse@laden.example>
From: Kasse Laden <kasse@laden.example>
To: shop@example.com
Subject: Tagesabschluß Kölner Straße
Date: Thu, 6 Nov 2026 22:00:00 +0100 (CET)
Message-Id: <200611062200.AA01234@laden.example>
Content-Type: multipart/mixed; boundary="=-=-="

--=-=-=
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

Tagesabschluß für die Filiale Kölner Straße: 1.234,56 EUR.
Grüße

--=-=-=
Content-Type: text/plain; charset=iso-8859-1
Content-Disposition: attachment; filename*0*=ISO-8859-1''Tagesabschlu%DF%20K%F6lner;
 filename*1*=%20Stra%DFe.txt
Content-Transfer-Encoding: quoted-printable

Umsatz=3D1234,56
Stra=DFe

--=-=-=--
""".encode("latin-1"), crlf=False)

# Broken: a multipart whose close delimiter is missing, base64 with junk characters and a
# missing padding, an unknown charset, an unknown transfer encoding, a header line without
# a colon inside the part headers.
write("broken.eml", """From: "Broken Mailer" <broken@example.net>
To: shop@example.com
Subject: =?x-unknown-charset?Q?Hello?= world
Date: not a date
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=XYZ

This is a preamble that must be ignored.
--XYZ
Content-Type: text/plain; charset=x-unknown-charset

Plain text in an unknown charset.
--XYZ
Content-Type: application/octet-stream; name=data.bin
Content-Transfer-Encoding: base64

AAEC!AwQF
BgcICQ
--XYZ
Content-Type: text/plain
Content-Transfer-Encoding: x-uuencode
this line has no colon

begin 644 file
--XYZ
Content-Type: application/pdf
Content-Disposition: attachment; filename=truncated.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
""")

# A forwarded message (message/rfc822) with its own attachment, from Thunderbird.
inner = f"""From: Lieferant <info@lieferant.example>
To: shop@example.com
Subject: Lieferschein 77
Date: Fri, 7 Nov 2026 07:30:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="------------inner01"

--------------inner01
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Lieferschein anbei.

--------------inner01
Content-Type: application/pdf; name="Lieferschein 77.pdf"
Content-Disposition: attachment; filename="Lieferschein 77.pdf"
Content-Transfer-Encoding: base64

{b64(pdf(300))}

--------------inner01--
"""
write("forwarded.eml", f"""Message-ID: <a1b2c3d4-0000-1111-2222-333344445555@example.com>
Date: Fri, 7 Nov 2026 08:00:00 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
From: Einkauf <einkauf@example.com>
To: shop@example.com
Subject: Fwd: Lieferschein 77
Content-Type: multipart/mixed; boundary="------------outer01"

This is a multi-part message in MIME format.
--------------outer01
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

Bitte buchen.

--------------outer01
Content-Type: message/rfc822; name="Lieferschein 77.eml"
Content-Disposition: attachment; filename="Lieferschein 77.eml"

{inner}
--------------outer01--
""")

# Japanese mail in ISO-2022-JP (7bit, iconv), as many Japanese mailers still send.
jp_subject = "ご注文の確認"
jp_body = "ご注文ありがとうございます。\r\n"
write("iso-2022-jp.eml", b"From: =?ISO-2022-JP?B?" + base64.b64encode("山田".encode("iso-2022-jp")) + b"?= <yamada@example.jp>\r\n"
      + b"To: shop@example.com\r\nSubject: =?ISO-2022-JP?B?" + base64.b64encode(jp_subject.encode("iso-2022-jp")) + b"?=\r\n"
      + b"Date: Sat, 8 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\n"
      + b"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
      + jp_body.encode("iso-2022-jp"))

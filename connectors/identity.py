"""Reporter identity inside free text (CONTRACT.md section 1): integrators write the
reporter's name, NIK and address into ``content``. The connector replaces it with
``[disamarkan]`` in every text it hands on, so the mirror never holds it.

What is recognised: a NIK (16 digits), Indonesian phone numbers (``08…``, ``+62…``,
``62…``), e-mail addresses, and the value of lines labelled ``Nama``, ``Nama
Lengkap``, ``NIK``, ``Alamat``, ``No. HP`` or ``Telepon`` (the label stays, so a reader
sees that something was there), at the start of a line or inside a sentence.
"""

from __future__ import annotations

import re

HIDDEN = "[disamarkan]"

_LABELLED = re.compile(
    r"(?im)^(?P<label>[ \t]*(?:nama\s+lengkap|nama\s+pelapor|nama|pelapor|nik|no\.?\s*ktp|alamat"
    r"|no\.?\s*hp|no\.?\s*telp\.?|no\.?\s*telepon|telepon|telp\.?|hp)[ \t]*[:=][ \t]*)"
    r"(?P<value>\S[^\r\n]*)$"
)
# The same labels inside a sentence ("… pelapor Nama: Budi Santoso, NIK: …"): the
# value runs to the next comma, semicolon or line end, at most 120 characters.
_INLINE = re.compile(
    r"(?i)(?<![\w.])(?P<label>(?:nama\s+lengkap|nama\s+pelapor|nama|pelapor|nik|no\.?\s*ktp|alamat"
    r"|no\.?\s*hp|no\.?\s*telp\.?|no\.?\s*telepon|telepon|telp\.?)[ \t]*[:=][ \t]*)"
    r"(?P<value>[^\s,;|\[][^\r\n,;|]{0,119})"
)
# The two labels that say what follows without a colon: "Nama pelapor Budi Santoso".
_NAMED = re.compile(
    r"(?i)(?<![\w.])(?P<label>nama\s+(?:pelapor|lengkap)[ \t]+)"
    r"(?P<value>[^\s,;:=|\[][^\r\n,;|]{0,119})"
)
# A NIK written whole or in groups of four ("6109 1234 5678 9012").
_NIK = re.compile(r"(?<!\d)\d{4}(?:[ .-]?\d{4}){3}(?!\d)")
_PHONE = re.compile(
    r"(?<![\w+])\(?(?:\+62|62|0)\)?[\s.-]{0,2}\(?8(?:\)?[\s.-]{0,2}\(?\d){7,11}\)?(?!\d)"
)
# Every repetition is bounded (an address's parts have lengths in RFC 5321): a hostile
# text of a million letters without an "@" must not cost a million steps per letter.
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


# What every pattern above needs somewhere in the text: a label's ":" or "=", an
# e-mail's "@", or a run of digits as long as a phone number's. Most titles have
# none, and one search spares them the five patterns (listing pages are read a
# thousand records at a time).
_ANY = re.compile(r"[@:=]|\d[\d\s.()-]{7,}\d|(?i:nama\s+(?:pelapor|lengkap))")
# Look-alikes a label or number may be written with: no-break and other spaces,
# fullwidth colon and equals, and zero-width characters inside a number.
_LOOKALIKES = str.maketrans(
    {
        **dict.fromkeys(
            map(
                ord,
                "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                "\u2008\u2009\u200a\u202f\u205f\u3000",
            ),
            " ",
        ),
        **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
        ord("\uff1a"): ":",
        ord("\uff1d"): "=",
        ord("\ufe55"): ":",
    }
)


def scrub_identity(text: str) -> str:
    """``text`` with every recognised trace of the reporter's identity replaced."""
    if not text:
        return text
    if not text.isascii():
        text = text.translate(_LOOKALIKES)
    if _ANY.search(text) is None:
        return text
    text = _LABELLED.sub(lambda m: m.group("label") + HIDDEN, text)
    text = _INLINE.sub(lambda m: m.group("label") + HIDDEN, text)
    text = _NAMED.sub(lambda m: m.group("label") + HIDDEN, text)
    if "@" in text:
        text = _EMAIL.sub(HIDDEN, text)
    text = _NIK.sub(HIDDEN, text)
    return _PHONE.sub(HIDDEN, text)

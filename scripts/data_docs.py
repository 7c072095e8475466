#!/usr/bin/python3
"""data_docs.py - generated pretraining documents about the fact set.

generated_docs(F, rng, target_bytes) -> list of (kind, text) documents:
encyclopedia articles, birthday/timeline/list pages, quiz sheets (questions
without answers), Q&A pages ("User question: ...\\nYour answer: ...\\n\\n"),
spelling pages and arithmetic worksheets, mixed so that every fact is stated
many times in different words. Unknown entities are never used here.
"""
import data_phrasing as P
import data_templates as T
from data_templates import cap, article

WORDS = """strawberry banana apple orange cherry grape lemon melon peach pear plum
mango papaya raspberry blueberry apricot coconut pineapple tomato potato carrot onion
garlic pepper cabbage lettuce spinach broccoli pumpkin cucumber mississippi tennessee
massachusetts connecticut bookkeeper committee coffee balloon letter little bottle
success address assessment possession accommodation embarrass occurrence necessary
parallel millennium professor tomorrow butterfly giraffe elephant hippopotamus kangaroo
crocodile alligator squirrel rabbit hamster parrot penguin dolphin octopus jellyfish
mountain river valley island ocean desert forest meadow volcano glacier
computer keyboard program language grammar sentence paragraph alphabet dictionary
library teacher student school pencil eraser notebook science history geography
physics chemistry biology mathematics algebra geometry calculus statistics
einstein newton london paris berlin vienna cambridge oxford
morning evening afternoon midnight yesterday seventeen thirteen fourteen nineteen
hello goodbye please thanks sorry window door chair table kitchen garden
umbrella elevator escalator refrigerator microwave telephone television
cinnamon vanilla chocolate caramel marshmallow lollipop spaghetti macaroni
happiness kindness darkness wilderness loneliness business witness
assistant transformer attention token model training bubble puzzle jazz pizza
occasion tattoo toffee mirror arrow berry cherry carriage marriage horror error
balloon raccoon cookie noodle moon spoon school book goose""".split()
# dedupe, keep order
_seen = set()
WORDS = [w for w in WORDS if not (w in _seen or _seen.add(w))]


def letter_counts(w):
    out = []
    for ch in w:
        if ch not in [c for c, _ in out]:
            out.append((ch, w.count(ch)))
    return out


def spelled(w, sep="-"):
    return sep.join(w)


def plural_letter(l, k):
    return "%d %s" % (k, l) if k == 1 else "%d %s's" % (k, l)


def positions_text(ps):
    ps = [str(p) for p in ps]
    if len(ps) == 1:
        return "position " + ps[0]
    return "positions " + ", ".join(ps[:-1]) + " and " + ps[-1]


class Gen:
    def __init__(self, F, rng):
        self.F = F
        self.r = rng
        self.people = F["people"]
        self.countries = F["countries"]
        self.rivers = F["rivers"]
        self.mountains = F["mountains"]
        self.insts = F["institutions"]
        self.by_city = {}
        for p in self.people:
            self.by_city.setdefault(p["place"], []).append(p)
        self.by_occ = {}
        for p in self.people:
            self.by_occ.setdefault(p["occupation"], []).append(p)
        self.capital_of = {c["name"]: c for c in self.countries}
        self.entities = ([("person", p) for p in self.people] +
                         [("country", c) for c in self.countries] +
                         [("river", x) for x in self.rivers] +
                         [("mountain", m) for m in self.mountains] +
                         [("institution", i) for i in self.insts])
        # people and institutions are most of the demo, weight them up
        self.weighted = ([e for e in self.entities if e[0] in ("person", "institution")] * 3 +
                         self.entities)

    # ------------------------------------------------------------ sentences
    def person_sentences(self, p):
        r = self.r
        n, d, y, pl, co, oc = p["name"], p["born"], p["year"], p["place"], p["country"], p["occupation"]
        pro = p["pronoun"]
        a = article(oc)
        core = r.choice([
            "%s was %s %s born on %s in %s." % (n, a, oc, d, pl),
            "%s (born %s in %s) was %s %s." % (n, d, pl, a, oc),
            "Born in %s on %s, %s became %s %s." % (pl, d, n, a, oc),
            "The %s %s was born in %s, %s, on %s." % (oc, n, pl, co, d),
            "%s, %s %s, was born on %s in the city of %s." % (n, a, oc, d, pl),
            "On %s, %s was born in %s. %s grew up to be %s %s." % (d, n, pl, cap(pro), a, oc),
            "%s was born on %s. %s was born in %s, %s, and worked as %s %s." % (n, d, cap(pro), pl, co, a, oc),
            "%s is the birthplace of %s, the %s, who was born there on %s." % (pl, n, oc, d),
            "%s came into the world on %s in %s, %s. %s is remembered as %s %s." % (n, d, pl, co, cap(pro), a, oc),
            "%s's date of birth is %s, and %s place of birth is %s." % (n, d, "his" if pro == "he" else "her", pl),
            "The year %s saw the birth of %s in %s; %s would become %s %s." % (y, n, pl, pro, a, oc),
            "%s, born %s, %s, was %s %s from %s." % (n, d, pl, a, oc, co),
        ])
        extra = [
            "%s was born in %s." % (n, y),
            "%s was born in %s." % (cap(pro), pl),
            "%s's birthday was %s." % (n, " ".join(d.split()[:2])),
            "%s worked as %s %s." % (cap(pro), a, oc),
            "%s was born on %s." % (n, d),
            "By profession %s was %s %s." % (n, a, oc),
            "%s is in %s." % (pl, co),
        ]
        r.shuffle(extra)
        return [core] + extra[:r.randint(1, 3)]

    def related_people(self, p):
        r, out = self.r, []
        same = [q for q in self.by_city.get(p["place"], []) if q is not p]
        if same:
            q = r.choice(same)
            out.append(r.choice([
                "Another person born in %s was %s, %s %s born on %s." % (p["place"], q["name"], article(q["occupation"]), q["occupation"], q["born"]),
                "%s shares a birthplace with %s, who was born in %s in %s." % (p["name"], q["name"], q["place"], q["year"]),
            ]))
        occ = [q for q in self.by_occ.get(p["occupation"], []) if q is not p]
        if occ:
            q = r.choice(occ)
            out.append(r.choice([
                "Like %s, who was born in %s on %s, %s was %s %s." % (q["name"], q["place"], q["born"], p["name"], article(p["occupation"]), p["occupation"]),
                "Another %s, %s, was born in %s in %s." % (p["occupation"], q["name"], q["year"], q["place"]),
            ]))
        c = self.capital_of.get(p["country"])
        if c and c["capital"] != p["place"]:
            out.append("%s is a city in %s, whose capital is %s." % (p["place"], c["name"], c["capital"]))
        return out

    def inst_sentences(self, i):
        r = self.r
        n, ab, y, c, k = i["name"], i["abbrev"], i["founded"], i["city"], i["kind"]
        N = cap(n)
        core = r.choice([
            "%s (%s) is %s %s in %s, founded in %d." % (N, ab, article(k), k, c, y),
            "%s, abbreviated %s, was founded in %d in %s." % (N, ab, y, c),
            "Founded in %d, %s, usually called %s, is based in %s." % (y, n, ab, c),
            "%s, or %s for short, is %s %s in %s. It was founded in %d." % (N, ab, article(k), k, c, y),
            "In %d %s was founded in %s. Today it is known as %s." % (y, n, c, ab),
            "%s stands for %s, %s %s founded in %s in %d." % (ab, n, article(k), k, c, y),
            "%s was established in %d. %s is in %s and is abbreviated %s." % (N, y, cap(n), c, ab),
        ])
        extra = ["%s was founded in %d." % (ab, y), "%s is in %s." % (ab, c),
                 "The abbreviation %s means %s." % (ab, n),
                 "%s has been in %s since %d." % (ab, c, y),
                 "%s dates from %d." % (N, y)]
        r.shuffle(extra)
        return [core] + extra[:r.randint(1, 3)]

    def country_sentences(self, c):
        r = self.r
        n, k, ct = c["name"], c["capital"], c["continent"]
        core = r.choice([
            "%s is a country in %s. Its capital is %s." % (cap(n), ct, k),
            "The capital of %s is %s. %s is in %s." % (n, k, cap(n), ct),
            "%s, in %s, has %s as its capital city." % (cap(n), ct, k),
            "%s is the capital city of %s, a country in %s." % (k, n, ct),
        ])
        out = [core]
        for p in self.people:
            if p["country"] == n and r.random() < 0.15:
                out.append("%s was born in %s, %s, in %s." % (p["name"], p["place"], n, p["year"]))
        for x in self.rivers:
            if x["city"] == k:
                out.append("%s flows through %s on its way to %s." % (cap(x["name"]), k, x["mouth"]))
        for m in self.mountains:
            if m["country"] == n:
                out.append("%s is a mountain in %s." % (cap(m["name"]), n))
        for i in self.insts:
            if i["city"] == k and r.random() < 0.5:
                out.append("%s (%s), founded in %d, is in %s." % (cap(i["name"]), i["abbrev"], i["founded"], k))
        return out

    def river_sentences(self, x):
        n = cap(x["name"])
        s = [self.r.choice(["%s is a river in %s that flows into %s." % (n, x["continent"], x["mouth"]),
                            "%s flows into %s." % (n, x["mouth"]),
                            "The mouth of %s is at %s." % (x["name"], x["mouth"])])]
        if x["city"]:
            s.append("The city of %s lies on %s." % (x["city"], x["name"]))
        return s

    def mountain_sentences(self, m):
        n = cap(m["name"])
        s = ["%s is a mountain in %s." % (n, m["country"])]
        if m["range"]:
            s.append(self.r.choice(["It is part of %s." % m["range"],
                                    "%s belongs to %s." % (n, m["range"]),
                                    "%s is one of the peaks of %s." % (n, m["range"])]))
        return s

    def sentences(self, kind, e):
        return {"person": self.person_sentences, "institution": self.inst_sentences,
                "country": self.country_sentences, "river": self.river_sentences,
                "mountain": self.mountain_sentences}[kind](e)

    # ------------------------------------------------------------ documents
    def article_doc(self):
        r = self.r
        kind, e = r.choice(self.weighted)
        s = self.sentences(kind, e)
        if kind == "person":
            s += self.related_people(e)
        title = cap(e["name"]) if r.random() < 0.7 else r.choice(
            ["About %s" % e["name"], "%s - encyclopedia entry" % cap(e["name"]),
             "Notes on %s" % e["name"]])
        if r.random() < 0.5:
            k2, e2 = r.choice(self.weighted)
            s2 = self.sentences(k2, e2)
            return title + "\n\n" + " ".join(s) + "\n\n" + "See also: " + cap(e2["name"]) + ". " + " ".join(s2)
        return title + "\n\n" + " ".join(s)

    def birthday_doc(self):
        r = self.r
        m = r.choice(T_MONTHS)
        ps = [p for p in self.people if p["born"].split()[1] == m]
        if not ps:
            return self.article_doc()
        ps.sort(key=lambda p: (int(p["born"].split()[0]), int(p["year"])))
        head = r.choice(["Famous birthdays in %s" % m, "Born in %s" % m, "On this day: %s birthdays" % m])
        lines = []
        for p in ps:
            d, _, y = p["born"].split()
            lines.append(r.choice([
                "%s %s: %s, %s, was born in %s in %s." % (d, m, p["name"], p["occupation"], p["place"], y),
                "%s %s %s - %s (%s) is born in %s." % (d, m, y, p["name"], p["occupation"], p["place"]),
            ]))
        return head + "\n\n" + "\n".join(lines)

    def timeline_doc(self):
        r = self.r
        items = []
        for p in r.sample(self.people, 14):
            items.append((int(p["year"]), "%s: %s is born in %s on %s." % (p["year"], p["name"], p["place"], p["born"])))
        for i in r.sample(self.insts, 5):
            items.append((i["founded"], "%d: %s (%s) is founded in %s." % (i["founded"], cap(i["name"]), i["abbrev"], i["city"])))
        items.sort()
        head = r.choice(["A timeline", "Timeline of births and foundations", "Dates to remember", "Chronology"])
        return head + "\n\n" + "\n".join(t for _, t in items)

    def list_doc(self):
        r = self.r
        c = r.random()
        if c < 0.4:
            occ = r.choice(sorted(self.by_occ))
            ps = self.by_occ[occ]
            lines = ["%s (born %s, %s)" % (p["name"], p["born"], p["place"]) for p in ps]
            return "List of %ss\n\n" % occ + "\n".join("- " + x for x in lines)
        if c < 0.6:
            cs = r.sample(self.countries, 12)
            return r.choice(["Countries and capitals", "Capital cities"]) + "\n\n" + "\n".join(
                "%s: %s (%s)" % (cap(x["name"]), x["capital"], x["continent"]) for x in cs)
        if c < 0.7:
            if r.random() < 0.5:
                xs = r.sample(self.rivers, 8)
                return r.choice(["Great rivers", "Rivers of the world"]) + "\n\n" + "\n".join(
                    "%s, in %s, flows into %s." % (cap(x["name"]), x["continent"], x["mouth"]) for x in xs)
            ms = r.sample(self.mountains, 8)
            return r.choice(["Famous mountains", "Mountains and where they are"]) + "\n\n" + "\n".join(
                "%s: %s%s" % (cap(m["name"]), m["country"], ", " + m["range"] if m["range"] else "") for m in ms)
        if c < 0.85:
            ins = r.sample(self.insts, 10)
            return r.choice(["Common abbreviations", "Abbreviations of institutions"]) + "\n\n" + "\n".join(
                "%s - %s, founded %d, %s" % (i["abbrev"], cap(i["name"]), i["founded"], i["city"]) for i in ins)
        city = r.choice(sorted(c2 for c2 in self.by_city if len(self.by_city[c2]) > 1))
        ps = self.by_city[city]
        return "People born in %s\n\n" % city + "\n".join(
            "%s, %s, born %s" % (p["name"], p["occupation"], p["born"]) for p in ps)

    def question(self, sft_only):
        r = self.r
        kind, e = r.choice(self.weighted)
        attr = r.choice([a for a in T.ATTRS[kind] if T.applicable(a, e)])
        t = r.choice(P.split(attr)[0])   # never a held-out phrasing
        return kind, e, attr, T.fill(t, e["name"], e.get("abbrev", ""))

    def quiz_doc(self):
        r = self.r
        qs = [self.question(False)[3] for _ in range(r.randint(4, 12))]
        style = r.random()
        if style < 0.5:
            head = r.choice(["History quiz, week %d" % r.randint(1, 12), "Science history revision questions",
                             "Homework sheet %d" % r.randint(1, 20), "Exam practice: famous people and places",
                             "Pub quiz, round %d" % r.randint(1, 6), "General knowledge test",
                             "Questions for the class", "Revision list for the history exam"])
            body = "\n".join("%d. %s" % (i + 1, q) for i, q in enumerate(qs))
            tail = r.choice(["", "", "\n\nAnswers will be given next week.", "\n\nWrite your answers on a separate sheet.",
                             "\n\nYou have twenty minutes.", "\n\nBring your answers to the next lesson."])
            return head + "\n\n" + body + tail
        if style < 0.8:
            notes = ["This question will come up in the exam.", "This question will come up in the science history exam.", "This one is often asked.",
                     "Try to answer without looking it up.", "We discussed this in class.",
                     "Look it up if you are not sure.", "Think about it before the next lesson."]
            lines = []
            for q in qs:
                lines.append(q + (" " + r.choice(notes) if r.random() < 0.3 else ""))
            head = r.choice(["", "Questions to think about\n\n", "Study questions\n\n", "Some questions for the weekend\n\n"])
            return head + "\n".join(lines)
        intro = r.choice(["Can anyone help me with these questions? I have a test tomorrow.",
                          "My teacher gave us these questions and I am stuck.",
                          "Here are the questions from today's quiz."])
        outro = r.choice(["Thanks in advance!", "Any help is welcome.", "I will post the answers later."])
        return intro + "\n\n" + "\n".join(qs) + "\n\n" + outro

    def qa_doc(self):
        r = self.r
        parts = []
        if r.random() < 0.3:
            parts.append(r.choice(["Questions and answers", "Reader questions", "Ask us anything",
                                   "Frequently asked questions"]) + "\n\n")
        for _ in range(r.randint(3, 8)):
            kind, e, attr, q = self.question(True)
            parts.append("User question: %s\nYour answer: %s\n\n" % (q, T.answer(kind, attr, e, r)))
        return "".join(parts).rstrip("\n")

    def spelling_doc(self):
        r = self.r
        words = r.sample(WORDS, r.randint(4, 10))
        lines = []
        for w in words:
            cs = letter_counts(w)
            l, k = r.choice(cs)
            style = r.randrange(7)
            if style == 0:
                lines.append("%s is spelled %s. It has %s." % (w, spelled(w), plural_letter(l, k)))
            elif style == 1:
                lines.append("The word %s is spelled %s. That is %d letters." % (w, spelled(w), len(w)))
            elif style == 2:
                lines.append("%s spells %s." % (spelled(w.upper()), w))
            elif style == 3:
                lines.append("Letters of %s: %s. The letter %s appears %s." % (
                    w, ", ".join(w), l, "once" if k == 1 else "%d times" % k))
            elif style == 4:
                ps = [i + 1 for i, c in enumerate(w) if c == l]
                lines.append("In %s (%s) the letter %s is at %s, so %s has %s." % (
                    w, spelled(w), l, positions_text(ps), w, plural_letter(l, k)))
            elif style == 5:
                lines.append("%s: %s (%d letters)" % (w, " ".join(w), len(w)))
            else:
                lines.append("How do you spell %s? %s." % (w, spelled(w)))
        head = r.choice(["Spelling practice", "Spelling list, week %d" % r.randint(1, 30),
                         "Words and their letters", "Spelling bee words"])
        return head + "\n\n" + "\n".join(lines)

    def arithmetic_doc(self):
        r = self.r
        lines = []
        for _ in range(r.randint(6, 16)):
            op = r.random()
            if op < 0.5:
                x, y = r.randint(1, 99), r.randint(1, 99)
                lines.append(r.choice(["%d + %d = %d" % (x, y, x + y),
                                       "%d plus %d is %d." % (x, y, x + y),
                                       "If you add %d and %d you get %d." % (x, y, x + y)]))
            elif op < 0.8:
                x = r.randint(2, 99)
                y = r.randint(1, x)
                lines.append(r.choice(["%d - %d = %d" % (x, y, x - y),
                                       "%d minus %d is %d." % (x, y, x - y)]))
            else:
                x, y = r.randint(2, 12), r.randint(2, 12)
                lines.append(r.choice(["%d x %d = %d" % (x, y, x * y),
                                       "%d times %d is %d." % (x, y, x * y)]))
        head = r.choice(["Arithmetic practice", "Sums", "Mental arithmetic, set %d" % r.randint(1, 40), "Worked sums"])
        return head + "\n\n" + "\n".join(lines)


T_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
            "August", "September", "October", "November", "December"]

# kind, share of generated bytes (roughly)
MIX = [("article", 0.46), ("birthday", 0.06), ("timeline", 0.06), ("list", 0.06),
       ("quiz", 0.12), ("qa", 0.24)]   # spelled words and sums: data_skills


def generated_docs(F, rng, target_bytes):
    g = Gen(F, rng)
    fn = {"article": g.article_doc, "birthday": g.birthday_doc, "timeline": g.timeline_doc,
          "list": g.list_doc, "quiz": g.quiz_doc, "qa": g.qa_doc,
          "spelling": g.spelling_doc, "arithmetic": g.arithmetic_doc}
    docs = []
    # guarantee the lectures' own facts a few plain statements
    for p in g.people[:2]:
        docs.append(("article", "%s\n\n%s" % (p["name"], " ".join(g.person_sentences(p) + g.related_people(p)))))
    lse = g.insts[0]
    docs.append(("article", "%s\n\n%s" % (cap(lse["name"]), " ".join(g.inst_sentences(lse)))))
    for kind, share in MIX:
        budget = int(target_bytes * share)
        used = 0
        while used < budget:
            t = fn[kind]()
            docs.append((kind, t))
            used += len(t.encode("utf-8")) + 15
    return docs

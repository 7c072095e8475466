#!/usr/bin/python3
"""data_skills.py - the skills the teaching models are taught beyond facts,
each with a train split and a held-out split built in by construction.

  letters: spell-then-tally replies ("s 0 / t 0 / r 1 / ..."), direct counts
  arithmetic: multi-step sums, step by step and direct
  tool: calculator calls <|tool|>EXPR<|result|> (SFT messages with tool_call)
  rag: passages about invented things, questions answered from the passage
  few-shot: relations written in several formats (some held out)
  everyday: small talk and everyday questions with short sensible answers
  unknown: refusals that repeat the name asked about; unknown attributes

Every generator takes a random.Random and a split ("train" or "eval"); the
question templates, wrappers, words and invented names of "eval" never occur
in "train".
"""
import re
from collections import Counter

from data_phrasing import cap, lower_first


def _split(pool, split):
    """every third element is held out (the same rule as data_phrasing)."""
    return [t for i, t in enumerate(pool) if (i % 3 == 2) == (split == "eval")]


# ---------------------------------------------------------------- letters

# words of the old shipped list (the lectures' demos) always train
DEMO_WORDS = """strawberry banana apple orange cherry raspberry blueberry mississippi tennessee
bookkeeper committee coffee balloon letter little bottle success address necessary
parallel millennium tomorrow butterfly giraffe elephant hippopotamus kangaroo banana
assistant transformer attention token model""".split()


def word_lists(texts, seed_rng, n_eval=400, min_count=3):
    """(train words, held-out words) from the corpus texts: lowercase words
    of 3-12 letters seen at least min_count times. Held-out words are never
    spelled anywhere in the training data."""
    c = Counter()
    for t in texts:
        c.update(w for w in re.findall(r"[a-z]+", t) if 3 <= len(w) <= 12)
    words = sorted(w for w, k in c.items() if k >= min_count)
    seed_rng.shuffle(words)
    demo = set(DEMO_WORDS)
    held = [w for w in words if w not in demo][:n_eval]
    hs = set(held)
    train = sorted(demo | {w for w in words if w not in hs})
    return train, sorted(held)


LETTER_Q = ["How many {l}'s are in the word {w}?", "Count the letter {l} in {w}.",
            "How many {l} are in {w}?", "How many times does the letter {l} appear in {w}?",
            "In the word {w}, how many {l}'s are there?", "How many letters {l} does {w} have?",
            "How often does {l} occur in {w}?", "Count how many {l}'s the word {w} has.",
            "How many times is {l} in {w}?", "Number of {l}'s in {w}?",
            "Tell me how many {l}'s {w} contains.", "How many {l} does the word \"{w}\" contain?"]
DIRECT_ASK = ["Answer with just the number.", "Reply with only the number.", "Just give the number.",
              "Only the number, please.", "Give me only the count.", "Answer with a single number."]
COT_ASK = ["Let's think step by step.", "Think step by step.", "Work it out step by step.",
           "Show your steps.", "Explain your working.", "Go through it step by step."]


def tally(w, l):
    """The spell-then-tally reply: every letter on its own line with the
    running count of l, then the total."""
    lines, k = [], 0
    for ch in w:
        if ch == l:
            k += 1
        lines.append("%s %d" % (ch, k))
    noun = "%s's" % l if k != 1 else l
    return ("Let me spell %s and count the %s's.\n" % (w, l) + "\n".join(lines) +
            "\nSo there %s %d %s in %s." % ("is" if k == 1 else "are", k, noun, w))


def pick_letter(w, rng, want=None):
    """A letter of w (or one not in it); want = the count wanted, if any."""
    cs = Counter(w)
    if want is not None:
        if want == 0:
            return rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c not in cs])
        opts = [c for c, k in cs.items() if k == want]
        return rng.choice(opts) if opts else None
    if rng.random() < 0.12:
        return rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c not in cs])
    multi = [c for c, k in cs.items() if k > 1]
    return rng.choice(multi if multi and rng.random() < 0.5 else sorted(cs))


def letters_chat(words, rng, split, direct):
    w = rng.choice(words)
    l = pick_letter(w, rng)
    q = rng.choice(_split(LETTER_Q, split)).format(w=w, l=l)
    if direct:
        q += " " + rng.choice(_split(DIRECT_ASK, split))
        return q, str(w.count(l)), w, l
    if rng.random() < 0.3:
        q += " " + rng.choice(_split(COT_ASK, split))
    return q, tally(w, l), w, l


def spelling_doc(words, rng, demo=False):
    """A pretraining page of spelled words (train words only); demo=True
    spells the lectures' demo words, tallied."""
    out = []
    if demo:
        return "Counting letters\n\n" + "\n\n".join(tally(w, pick_letter(w, rng)) for w in sorted(set(DEMO_WORDS)))
    for w in rng.sample(words, rng.randint(5, 12)):
        s = rng.randrange(6)
        if s == 0:
            out.append("%s is spelled %s." % (w, "-".join(w)))
        elif s == 1:
            out.append("%s: %s" % (w, " ".join(w)))
        elif s == 2:
            l = pick_letter(w, rng)
            out.append(tally(w, l))
        elif s == 3:
            out.append("The letters of %s are %s." % (w, ", ".join(w)))
        elif s == 4:
            out.append("%s\n%s" % (w, "\n".join(w)))
        else:
            l = pick_letter(w, rng)
            k = w.count(l)
            out.append("The word %s has %d %s%s." % (w, k, l, "'s" if k != 1 else ""))
    head = rng.choice(["Spelling practice", "Spelling list", "Words and their letters", "Spelling bee words",
                       "Letter counting exercises"])
    return head + "\n\n" + "\n\n".join(out)


# ---------------------------------------------------------------- arithmetic

def sum_problem(rng):
    """a +- b +- c with two-digit numbers, every partial result 0..199."""
    while True:
        a, b, c = rng.randint(10, 99), rng.randint(10, 99), rng.randint(10, 99)
        o1, o2 = rng.choice("+-"), rng.choice("+-")
        s1 = a + b if o1 == "+" else a - b
        s2 = s1 + c if o2 == "+" else s1 - c
        if 0 <= s1 <= 199 and 0 <= s2 <= 199:
            return a, o1, b, o2, c, s1, s2


STORY = [("{p} has {a} apples. {P} buys {b} more and then gives {c} away.", "+-", "How many apples does {p} have now?"),
         ("A bus carries {a} people. At the first stop {b} get on, at the next {c} get off.", "+-", "How many people are on the bus now?"),
         ("{p} had {a} coins, lost {b}, and then found {c}.", "-+", "How many coins does {p} have?"),
         ("A shop had {a} pens. It sold {b} and received {c} new ones.", "-+", "How many pens does the shop have?"),
         ("A library had {a} books, bought {b} more and lent out {c}.", "+-", "How many books are left in the library?"),
         ("{p} read {a} pages on Monday, {b} on Tuesday and {c} on Wednesday.", "++", "How many pages did {p} read in all?"),
         ("A farmer had {a} sheep. {b} were sold and {c} were born.", "-+", "How many sheep does the farmer have now?"),
         ("There were {a} birds in a tree. {b} flew away and {c} more flew away.", "--", "How many birds are left?"),
         ("{p} saved {a} pounds, spent {b} and then earned {c}.", "-+", "How much money does {p} have now?"),
         ("A train had {a} passengers. {b} got off at the first station and {c} got on.", "-+", "How many passengers are on the train?"),
         ("A class collected {a} bottles on Monday and {b} on Tuesday, then recycled {c}.", "+-", "How many bottles are left?"),
         ("A baker made {a} rolls, sold {b}, and made {c} more.", "-+", "How many rolls does the baker have?")]
NAMES = ["Anna", "Tom", "Sara", "Ben", "Lena", "Omar", "Mia", "Jonas", "Eva", "Leo", "Nora", "Sam"]
SUM_Q = ["What is {e}?", "Compute {e}.", "Calculate {e}.", "What does {e} equal?", "Work out {e}.",
         "How much is {e}?", "{e} = ?", "Solve {e}.", "Find the value of {e}."]
WORD_OP = {"+": ["plus", "add"], "-": ["minus", "take away"]}


def arith_chat(rng, split, mode):
    """mode 'cot' (steps) or 'direct' (the number only). Returns (q, reply, answer)."""
    while True:
        a, o1, b, o2, c, s1, s2 = sum_problem(rng)
        stories = _split(STORY, split)
        if rng.random() < 0.5:
            t, ops, ask = rng.choice(stories)
            if (o1 + o2) != ops:
                continue
            p = rng.choice(NAMES)
            q = t.format(a=a, b=b, c=c, p=p, P="She" if p in ("Anna", "Sara", "Lena", "Mia", "Eva", "Nora") else "He") + " " + ask.format(p=p)
        else:
            e = "%d %s %d %s %d" % (a, o1, b, o2, c)
            if rng.random() < 0.25:
                e = "%d %s %d %s %d" % (a, WORD_OP[o1][0], b, WORD_OP[o2][0], c)
            q = rng.choice(_split(SUM_Q, split)).format(e=e)
        break
    if mode == "direct":
        return q + " " + rng.choice(_split(DIRECT_ASK, split)), str(s2), s2
    if rng.random() < 0.6:
        q = q + " " + rng.choice(_split(COT_ASK, split))
    steps = "%s\n%s\nThe answer is %d." % (column(a, o1, b), column(s1, o2, c), s2)
    return q, steps, s2


def column(x, op, y):
    """One two-number step written digit by digit, ones first, so each line
    is a one-digit fact a small model can do:
      "47 + 38: 7 + 8 = 15, write 5 carry 1; 4 + 3 + 1 = 8; so 47 + 38 = 85"
    """
    z = x + y if op == "+" else x - y
    xs, ys = str(x)[::-1], str(y)[::-1]
    parts, carry = [], 0
    for i in range(max(len(xs), len(ys))):
        dx = int(xs[i]) if i < len(xs) else 0
        dy = int(ys[i]) if i < len(ys) else 0
        if op == "+":
            v = dx + dy + carry
            t = "%d + %d%s = %d" % (dx, dy, " + 1" if carry else "", v)
            carry = v // 10
            parts.append(t + (", write %d carry 1" % (v % 10) if carry else ""))
        else:
            v = dx - dy - carry
            t = "%d - %d%s" % (dx, dy, " - 1" if carry else "")
            if v >= 0:
                parts.append("%s = %d" % (t, v))
            else:
                parts.append("%s: borrow, 1%s = %d" % (t, t, v + 10))
            carry = 1 if v < 0 else 0
    if op == "+" and carry:
        parts.append("carry 1")
    return "%d %s %d: %s; so %d %s %d = %d" % (x, op, y, "; ".join(parts), x, op, y, z)


def arithmetic_doc(rng):
    """Pretraining: drills of two-number sums (what a step needs) and worked
    multi-step sums."""
    lines = []
    for _ in range(rng.randint(8, 20)):
        if rng.random() < 0.75:
            x, y = rng.randint(0, 99), rng.randint(0, 99)
            if rng.random() < 0.5:
                lines.append("%d + %d = %d" % (x, y, x + y))
            else:
                x, y = max(x, y) + rng.randint(0, 99), min(x, y)
                lines.append("%d - %d = %d" % (x, y, x - y))
        else:
            x, y = rng.randint(10, 99), rng.randint(10, 99)
            op = rng.choice("+-")
            if op == "-" and y > x:
                x, y = y, x
            lines.append(column(x, op, y))
    head = rng.choice(["Arithmetic practice", "Sums", "Mental arithmetic", "Worked sums", "Addition and subtraction"])
    return head + "\n\n" + "\n".join(lines)


# ---------------------------------------------------------------- tool use

TOOL_Q = ["What is {e}?", "Calculate {e}.", "Use the calculator: what is {e}?", "Compute {e}.",
          "How much is {e}?", "Work out {e} for me.", "What does {e} come to?", "Please calculate {e}.",
          "Find {e}.", "I need the value of {e}.", "Can you compute {e}?", "What's {e}?"]
TOOL_WORDS = {"+": "plus", "-": "minus", "*": "times"}


def tool_problem(rng):
    """Two-step sums with numbers too big for the model's head."""
    while True:
        kind = rng.randrange(4)
        if kind == 0:
            a, b, c = rng.randint(100, 9999), rng.randint(100, 9999), rng.randint(100, 9999)
            o1, o2 = rng.choice("+-"), rng.choice("+-")
        elif kind == 1:
            a, b, c = rng.randint(12, 999), rng.randint(2, 99), rng.randint(10, 9999)
            o1, o2 = "*", rng.choice("+-")
        elif kind == 2:
            a, b, c = rng.randint(100, 9999), rng.randint(12, 999), rng.randint(2, 99)
            o1, o2 = rng.choice("+-"), "*"
        else:
            a, b, c = rng.randint(100, 99999), rng.randint(100, 99999), rng.randint(100, 99999)
            o1, o2 = "+", rng.choice("+-")
        e = "%d %s %d %s %d" % (a, o1, b, o2, c)
        v = eval(e)  # noqa: S307 - our own digits and operators only
        if v >= 0:
            words = "%d %s %d %s %d" % (a, TOOL_WORDS[o1], b, TOOL_WORDS[o2], c)
            return e, words, v


def tool_chat(rng, split):
    """(messages, expression, value)"""
    e, words, v = tool_problem(rng)
    shown = words if rng.random() < 0.25 else e
    q = rng.choice(_split(TOOL_Q, split)).format(e=shown)
    pre = rng.choice(["", "I will use the calculator.", "Let me calculate that.", "I'll use the calculator for this."])
    msgs = [{"role": "user", "content": q},
            {"role": "assistant", "content": pre, "tool_call": e},
            {"role": "tool", "content": str(v)},
            {"role": "assistant", "content": rng.choice(["%s = %d." % (e, v), "The answer is %d." % v,
                                                         "%s is %d." % (e, v)])}]
    return msgs, e, v


# ---------------------------------------------------------------- reading (RAG)

_SYL = ["bra", "vel", "mor", "tan", "gil", "dro", "sen", "kal", "fen", "lor", "mib", "ost", "ruv", "zel",
        "cor", "dun", "hal", "pim", "tro", "wes", "yar", "nok", "sal", "ther", "quen", "bal", "dor", "ish"]
THINGS = [  # kind, name pattern, attributes: (attr, question forms train+eval, sentence, value generator)
    ("bridge", "the {X} Bridge"), ("ship", "the {X}"), ("village", "{X}"), ("festival", "the {X} Festival"),
    ("company", "{X} Ltd"), ("lake", "Lake {X}"), ("book", "The {X} Book"), ("tower", "the {X} Tower"),
]
FIRST = ["Oskar", "Mira", "Tilda", "Jakob", "Ines", "Piet", "Lotte", "Ruben", "Selma", "Aron", "Wanda", "Ivo"]
COLOURS = ["red", "blue", "green", "yellow", "white", "grey", "orange", "purple", "black", "brown"]
MATERIALS = ["stone", "iron", "wood", "steel", "brick", "glass", "oak", "granite"]


def invented(rng, taken, split="train"):
    """An invented name; the two splits end differently, so no eval passage
    is about a thing a training passage described."""
    ends = ["", "a", "en"] if split == "train" else ["ik", "or", "ust"]
    while True:
        x = cap(rng.choice(_SYL) + rng.choice(_SYL) + rng.choice(ends))
        if x not in taken:
            taken.add(x)
            return x


def rag_facts(rng, taken, split="train"):
    """One invented thing with 4 attributes: (name, [(attr, value, sentence, questions)])."""
    kind, pat = rng.choice(THINGS)
    name = pat.format(X=invented(rng, taken, split))
    person = "%s %s" % (rng.choice(FIRST), invented(rng, taken, split))
    place = invented(rng, taken, split)
    year = rng.randint(1500, 2020)
    num = rng.randint(12, 980)
    colour = rng.choice(COLOURS)
    mat = rng.choice(MATERIALS)
    N = cap(name)
    facts = [
        ("maker", person, "%s was %s by %s." % (N, {"bridge": "built", "ship": "built", "village": "founded",
                                                    "festival": "started", "company": "founded", "lake": "named",
                                                    "book": "written", "tower": "built"}[kind], person),
         ["Who made {n}?", "Who is behind {n}?", "Which person created {n}?", "Who started {n}?",
          "Name the person who made {n}.", "By whom was {n} made?"]),
        ("year", str(year), "It dates from %d." % year if rng.random() < 0.5 else "%s goes back to the year %d." % (N, year),
         ["When does {n} date from?", "In which year did {n} begin?", "What year is {n} from?",
          "How old is {n}, from which year?", "From what year is {n}?", "Which year does {n} go back to?"]),
        ("place", place, "%s is in %s." % (N, place) if rng.random() < 0.5 else "You can find %s near %s." % (name, place),
         ["Where is {n}?", "Near which place is {n}?", "Where can you find {n}?",
          "In what place is {n}?", "What town is {n} near?", "Where is {n} located?"]),
        ("number", str(num), "%s has %d %s." % (N, num, {"bridge": "lamps", "ship": "sailors", "village": "houses",
                                                       "festival": "stalls", "company": "workers", "lake": "islands",
                                                       "book": "pages", "tower": "steps"}[kind]),
         ["How many {u} does {n} have?", "What is the number of {u} of {n}?", "How many {u} has {n} got?",
          "Count of {u} at {n}?", "Tell me how many {u} {n} has.", "How many {u} are there at {n}?"]),
        ("colour", colour, "%s is painted %s." % (N, colour) if rng.random() < 0.5 else "The colour of %s is %s." % (name, colour),
         ["What colour is {n}?", "Which colour is {n} painted?", "What is the colour of {n}?",
          "Tell me the colour of {n}.", "{N} is what colour?", "Of what colour is {n}?"]),
        ("material", mat, "%s is made of %s." % (N, mat),
         ["What is {n} made of?", "What material is {n} made from?", "Of what is {n} made?",
          "Tell me the material of {n}.", "{N} is made of what?", "Which material was used for {n}?"]),
    ]
    unit = {"bridge": "lamps", "ship": "sailors", "village": "houses", "festival": "stalls",
            "company": "workers", "lake": "islands", "book": "pages", "tower": "steps"}[kind]
    return kind, name, unit, facts


RAG_INTRO = ["Read this: {p}\n\nQuestion: {q}", "{p}\n\n{q}", "Here is a text.\n{p}\nNow answer: {q}",
             "Context: {p}\nQuestion: {q}", "Use the passage to answer.\n\nPassage: {p}\n\n{q}",
             "Text: {p}\nBased on the text, {ql}", "{p}\nAccording to this, {ql}",
             "Passage:\n{p}\n\nAnswer from the passage: {q}", "Please read: {p}\n{q}"]


def rag_chat(rng, split, taken=None):
    """(question with passage, reply, answer, wrong answers). Names are unique
    within a passage; across passages a name may come back with other facts
    (so memorising a passage never pays: reading it does)."""
    taken = set()
    kind, name, unit, facts = rag_facts(rng, taken, split)
    chosen = rng.sample(facts, rng.randint(3, 5))
    # a second thing in the passage, so a copy-everything reply names wrong values
    k2, name2, unit2, facts2 = rag_facts(rng, taken, split)
    other = rng.sample(facts2, 2)
    sents = [s for _, _, s, _ in chosen]
    if rng.random() < 0.6:
        sents = sents[:1] + [s for _, _, s, _ in other] + sents[1:]
    else:
        other = []
    passage = " ".join(sents)
    attr, val, sent, qs = rng.choice(chosen)
    qf = rng.choice(_split(qs, split)).format(n=name, N=cap(name), u=unit)
    wrong = sorted({v for a, v, _, _ in chosen + other if v != val and v not in val and val not in v})
    intro = rng.choice(_split(RAG_INTRO, split))
    q = intro.format(p=passage, q=qf, ql=lower_first(qf))
    reply = sent if sent.count(".") == 1 else "%s: %s." % (cap(qf.rstrip("?").rstrip(".")), val)
    if attr == "year":
        reply = "%s dates from %s." % (cap(name), val)
    elif attr == "place":
        reply = "%s is in %s." % (cap(name), val)
    elif attr == "colour":
        reply = "%s is %s." % (cap(name), val)
    return q, reply, val, wrong


def rag_doc(rng, taken=None):
    """Pretraining: a short text about invented things, then questions on it
    answered from the text."""
    taken = set()
    parts, qa = [], []
    for _ in range(rng.randint(1, 2)):
        kind, name, unit, facts = rag_facts(rng, taken)
        ch = rng.sample(facts, 4)
        parts.append(" ".join(s for _, _, s, _ in ch))
        for attr, val, s, qs in rng.sample(ch, 2):
            qa.append("Q: %s\nA: %s" % (rng.choice(_split(qs, "train")).format(n=name, N=cap(name), u=unit), val))
    head = rng.choice(["Reading comprehension", "Read the text and answer the questions", "Exercise"])
    return head + "\n\n" + "\n\n".join(parts) + "\n\n" + "\n".join(qa)


# ---------------------------------------------------------------- few-shot formats

FORMATS_TRAIN = ["{q}: {a}\n", "{q} - {a}\n", "| {q} | {a} |\n", "{q} -> {a}\n", "{k}={q}; value={a}\n"]
FORMATS_EVAL = ["{q} => {a}\n", "Q: {q}\nA: {a}\n\n", "{q} ~ {a}\n", "[{q}] {a}\n", "Input: {q}\nOutput: {a}\n\n",
                "{q} >> {a}\n"]


def relations(F):
    """name -> list of (question side, answer side)"""
    R = {
        "capital": [(c["name"].replace("the ", "", 1), c["capital"]) for c in F["countries"]],
        "continent": [(c["name"].replace("the ", "", 1), c["continent"]) for c in F["countries"]],
        "birth year": [(p["name"], p["year"]) for p in F["people"]],
        "birthplace": [(p["name"], p["place"]) for p in F["people"]],
        "occupation": [(p["name"], p["occupation"]) for p in F["people"]],
        "abbreviation": [(i["abbrev"], cap(i["name"].replace("the ", "", 1))) for i in F["institutions"]],
        "next number": [(str(i), str(i + 1)) for i in range(1, 200)],
        "uppercase": [(w, w.upper()) for w in DEMO_WORDS],
    }
    return R


# pieces of invented formats: pretraining sees a new format on almost every
# page, so a model learns to copy whatever format the page sets up (the
# held-out FORMATS_EVAL are never produced: checked below)
_SEPS = [":", " :", " -", " --", " |", " ->", " =", " ==", " :=", " =>>", " >", " >>>", " ::", " /", " //",
         " ~>", " <-", " ==>", " |>", ",", " ;", " *", " +", " ->>", " =:", " -:", " >-", " ~~"]
_WRAPS = [("", ""), ("(", ")"), ("<", ">"), ("'", "'"), ("\"", "\""), ("*", "*"), ("_", "_")]
_PAIRS = [("Q: ", "A: "), ("In: ", "Out: "), ("X: ", "Y: "), ("Key: ", "Value: "), ("Given: ", "Answer: "),
          ("Item: ", "Result: "), ("From: ", "To: "), ("Term: ", "Meaning: "), ("Ask: ", "Reply: ")]


def random_format(rng):
    """A one-line or two-line example format, never one of FORMATS_EVAL."""
    while True:
        if rng.random() < 0.25:
            a, b = rng.choice(_PAIRS)
            fmt = "%s{q}\n%s{a}\n\n" % (a, b)
        else:
            l, r = rng.choice(_WRAPS)
            fmt = "%s{q}%s%s {a}\n" % (l, r, rng.choice(_SEPS))
        if fmt not in FORMATS_EVAL:
            return fmt


def few_shot_doc(F, rng):
    """Pretraining: a relation written out in a training format or an
    invented one."""
    R = relations(F)
    rel = rng.choice(sorted(R))
    fmt = rng.choice(FORMATS_TRAIN) if rng.random() < 0.3 else random_format(rng)
    pairs = rng.sample(R[rel], min(len(R[rel]), rng.randint(5, 12)))
    key = rel.replace(" ", "_")
    head = rng.choice(["%s" % cap(rel), "List: %s" % rel, "Table of %ss" % rel, "", "", ""])
    body = "".join(fmt.format(q=q, a=a, k=key) for q, a in pairs)
    return (head + "\n\n" if head else "") + body.rstrip("\n")


def few_shot_item(F, rng):
    """An eval item in a held-out format: 3 shots + the query, same relation."""
    R = relations(F)
    rel = rng.choice([r for r in sorted(R) if r != "uppercase"])
    fmt = rng.choice(FORMATS_EVAL)
    four = rng.sample(R[rel], 4)
    shots = [dict(question=q, answer=a) for q, a in four[:3]]
    q, a = four[3]
    return dict(kind="few_shot", question=q, answers=[a], shots=shots, template=fmt.replace("{k}", rel),
                format=fmt.strip().replace("\n", "\\n"), relation=rel)


# ---------------------------------------------------------------- everyday

# (question forms, answer, keywords); forms split by position (every third held out)
EVERYDAY = [
    (["What do cats eat?", "What food do cats like?", "What should I feed a cat?"], "Cats eat meat, such as fish, chicken and cat food.", ["meat", "fish"]),
    (["What do dogs eat?", "What food is good for a dog?", "What do you feed dogs?"], "Dogs eat meat and dog food, and some vegetables.", ["meat", "dog food"]),
    (["What colour is the sky?", "Why is the sky blue?", "What colour is the sky on a clear day?"], "On a clear day the sky is blue.", ["blue"]),
    (["What colour is grass?", "Which colour does grass have?", "What is the colour of grass?"], "Grass is green.", ["green"]),
    (["How many days are in a week?", "How many days does a week have?", "A week has how many days?"], "A week has seven days.", ["seven", "7"]),
    (["How many months are in a year?", "How many months does a year have?", "A year has how many months?"], "A year has twelve months.", ["twelve", "12"]),
    (["How many hours are in a day?", "How many hours does a day have?", "A day has how many hours?"], "A day has twenty-four hours.", ["twenty-four", "24"]),
    (["What is water made of?", "What is the formula of water?", "Which elements make up water?"], "Water is made of hydrogen and oxygen.", ["hydrogen", "oxygen"]),
    (["What do plants need to grow?", "What does a plant need?", "How do plants grow?"], "Plants need light, water and air to grow.", ["light", "water"]),
    (["What is the opposite of hot?", "What is the opposite of the word hot?", "Hot is the opposite of what?"], "The opposite of hot is cold.", ["cold"]),
    (["What is the opposite of big?", "What word means the opposite of big?", "Big is the opposite of what?"], "The opposite of big is small.", ["small", "little"]),
    (["What is the opposite of up?", "What is the opposite of the word up?", "Up is the opposite of what?"], "The opposite of up is down.", ["down"]),
    (["What is a language model?", "What does a language model do?", "Can you explain what a language model is?"], "A language model predicts the next token of a text, one token at a time.", ["predict", "next"]),
    (["What is a token?", "What does token mean for a language model?", "Explain what a token is."], "A token is a piece of text, a word or part of a word, that a language model reads and writes.", ["piece", "part of a word"]),
    (["How are you?", "How are you today?", "How is it going?"], "I am fine, thank you. What would you like to know?", ["fine", "well"]),
    (["What is your name?", "What are you called?", "Do you have a name?"], "I am a small language model made in llmlab. I have no other name.", ["llmlab", "language model"]),
    (["Who are you?", "What are you?", "Are you a person?"], "I am a small language model, trained in llmlab. I answer short questions.", ["language model"]),
    (["What can you do?", "How can you help me?", "What can I ask you?"], "I can answer questions about people, places and institutions, spell words, count letters, do sums and read a passage you give me.", ["answer", "questions"]),
    (["Hello!", "Hi there!", "Good morning!", "Hey!", "Hi!", "Good evening!"], "Hello! What would you like to know?", ["hello", "hi"]),
    (["Thank you!", "Thanks a lot!", "Thanks!"], "You're welcome!", ["welcome"]),
    (["Goodbye!", "Bye!", "See you later!"], "Goodbye!", ["goodbye", "bye"]),
    (["What is the boiling point of water?", "At what temperature does water boil?", "When does water boil?"], "Water boils at 100 degrees Celsius at sea level.", ["100"]),
    (["At what temperature does water freeze?", "What is the freezing point of water?", "When does water turn to ice?"], "Water freezes at 0 degrees Celsius.", ["0 degrees", "zero"]),
    (["What is the largest planet?", "Which planet is the biggest?", "What is the biggest planet in the solar system?"], "Jupiter is the largest planet in the solar system.", ["jupiter"]),
    (["Which planet do we live on?", "What planet is our home?", "What is the name of our planet?"], "We live on the Earth.", ["earth"]),
    (["What gives us light during the day?", "What lights the day?", "Where does daylight come from?"], "The Sun gives us light during the day.", ["sun"]),
    (["How many legs does a spider have?", "A spider has how many legs?", "Count the legs of a spider."], "A spider has eight legs.", ["eight", "8"]),
    (["How many legs does a dog have?", "A dog has how many legs?", "How many legs do dogs have?"], "A dog has four legs.", ["four", "4"]),
    (["What do bees make?", "What do bees produce?", "What is made by bees?"], "Bees make honey and wax.", ["honey"]),
    (["What do cows give us?", "What do we get from cows?", "What does a cow produce?"], "Cows give us milk.", ["milk"]),
    (["What is ice?", "What is ice made of?", "What happens to water when it freezes?"], "Ice is frozen water.", ["frozen", "water"]),
    (["What is rain?", "Where does rain come from?", "What is rain made of?"], "Rain is water that falls from clouds.", ["water", "cloud"]),
    (["What do you use an umbrella for?", "Why do people carry umbrellas?", "What is an umbrella for?"], "An umbrella keeps you dry in the rain.", ["rain", "dry"]),
    (["What is a doctor?", "What does a doctor do?", "What is the job of a doctor?"], "A doctor helps sick people get well.", ["sick", "health", "ill"]),
    (["What does a teacher do?", "What is a teacher?", "What is the job of a teacher?"], "A teacher helps students learn.", ["learn", "students", "teach"]),
    (["What is a library?", "What can you do in a library?", "What is a library for?"], "A library is a place where you can read and borrow books.", ["books"]),
    (["Why do we sleep?", "Why do people need sleep?", "What is sleep for?"], "We sleep to rest the body and the mind.", ["rest"]),
    (["What is breakfast?", "When do people eat breakfast?", "What is the first meal of the day?"], "Breakfast is the first meal of the day, eaten in the morning.", ["morning", "first meal"]),
    (["What is the capital of the moon?", "Which city is the capital of the Moon?", "Who is the king of the Moon?"], "The Moon has no capital: nobody lives there.", ["no capital", "nobody", "no "]),
    (["What is two plus two?", "What is 2 + 2?", "How much is two and two?"], "Two plus two is four.", ["four", "4"]),
    (["What is the first letter of the alphabet?", "Which letter comes first in the alphabet?", "The alphabet starts with which letter?"], "The first letter of the alphabet is A.", [" a.", " a "]),
    (["How many letters are in the English alphabet?", "How many letters does the alphabet have?", "Count the letters of the alphabet."], "The English alphabet has twenty-six letters.", ["twenty-six", "26"]),
    (["What is a fruit?", "Give me an example of a fruit.", "Name a fruit."], "An apple is a fruit; so are bananas and cherries.", ["apple", "banana", "cherr"]),
    (["What is a vegetable?", "Name a vegetable.", "Give me an example of a vegetable."], "A carrot is a vegetable; so are potatoes and onions.", ["carrot", "potato", "onion"]),
    (["What is a noun?", "Explain what a noun is.", "What does the word noun mean?"], "A noun is a word for a person, a place or a thing.", ["person", "thing"]),
    (["What is a verb?", "Explain what a verb is.", "What does the word verb mean?"], "A verb is a word for an action, such as run or read.", ["action"]),
    (["What is the weather like?", "Will it rain tomorrow?", "Is it sunny today?"], "I can't see the weather: I have no window and no forecast.", ["can't", "cannot", "no "]),
    (["What time is it?", "What is the time now?", "Can you tell me the time?"], "I don't have a clock, so I can't tell the time.", ["clock", "can't"]),
    (["Can you help me with my homework?", "Will you help me with my homework?", "I need help with homework."], "Yes, ask me a question and I will try to help.", ["yes", "try"]),
    (["Tell me a joke.", "Do you know a joke?", "Make me laugh."], "Why did the token cross the road? To reach the next position.", ["why", "token"]),
    (["What is the sun?", "What kind of thing is the Sun?", "Is the Sun a star?"], "The Sun is a star, a huge ball of hot gas.", ["star"]),
    (["What is the moon?", "What kind of thing is the Moon?", "What goes around the Earth?"], "The Moon is the Earth's natural satellite; it goes around the Earth.", ["satellite", "around the earth"]),
    (["What is a computer?", "What does a computer do?", "Explain what a computer is."], "A computer is a machine that follows instructions to work with numbers and text.", ["machine"]),
    (["Why do leaves fall in autumn?", "What happens to trees in autumn?", "Why do trees lose their leaves?"], "In autumn many trees drop their leaves to save water through the winter.", ["autumn", "winter"]),
    (["What is a river?", "Explain what a river is.", "What does a river do?"], "A river is water that flows across the land into a sea or a lake.", ["water", "flow"]),
    (["What is a mountain?", "Explain what a mountain is.", "What does the word mountain mean?"], "A mountain is a very high hill of rock.", ["high", "hill"]),
    (["What is a country?", "Explain what a country is.", "What does the word country mean?"], "A country is a land with its own government and borders.", ["government", "land"]),
    (["What do fish breathe?", "How do fish breathe?", "Can fish breathe under water?"], "Fish take oxygen from the water with their gills.", ["gills", "oxygen"]),
    (["Do you like music?", "What music do you like?", "Do you enjoy music?"], "I have no ears, but people have written a lot about music in my books.", ["no ears", "music"]),
    (["Are you smart?", "Are you clever?", "Are you intelligent?"], "I am a very small model: I know a little and I make mistakes.", ["small", "mistakes"]),
    (["What day is it today?", "What is today's date?", "Which day is today?"], "I don't have a calendar, so I can't tell the date.", ["calendar", "can't"]),
    (["What should I eat for dinner?", "What is a good dinner?", "Any ideas for dinner?"], "A soup with bread, or pasta with vegetables, makes a good dinner.", ["soup", "pasta", "bread"]),
]


def everyday_chat(rng, split):
    qs, a, kw = rng.choice(EVERYDAY)
    forms = _split(qs, split)
    if not forms:
        forms = qs
    return rng.choice(forms), a, kw


def everyday_doc(rng):
    """Pretraining: a page of everyday facts (the answers as statements)."""
    picks = rng.sample(EVERYDAY, rng.randint(4, 9))
    head = rng.choice(["Things everyone knows", "Everyday facts", "Did you know?", "Notes for children"])
    return head + "\n\n" + "\n".join(a for _, a, _ in picks)


# ---------------------------------------------------------------- unknown entities

TITLES = ["", "", "", "Dr. ", "Professor ", "Sir ", "Lady ", "Captain "]


def unknown_name(u, rng):
    if u["kind"] == "person":
        t = rng.choice(TITLES)
        return (t + u["surname"]) if t and rng.random() < 0.4 else t + u["name"]
    return u["name"]


def refusal(u_kind, name, rng):
    if u_kind == "person":
        return rng.choice(["I don't know who %s is.", "I don't know anything about %s.",
                           "I have never heard of %s, so I don't know.", "I don't know who %s is; I have no information about them."]) % name
    if u_kind == "institution":
        return rng.choice(["I don't know anything about %s.", "I have never heard of %s, so I don't know.",
                           "I don't know %s."]) % name
    return rng.choice(["I don't know of a country called %s.", "I don't know anything about %s.",
                       "I have never heard of %s, so I don't know."]) % name


# attributes nobody in the data has: (question forms, phrase for the refusal)
UNKNOWN_ATTRS = {
    "person": [(["What was {n}'s favourite colour?", "Which colour did {n} like best?", "What colour did {n} love most?"], "favourite colour"),
               (["What was {n}'s favourite food?", "What did {n} like to eat most?", "Which dish did {n} love?"], "favourite food"),
               (["How tall was {n}?", "What was {n}'s height?", "How many centimetres tall was {n}?"], "height"),
               (["What was the name of {n}'s first pet?", "Did {n} have a pet, and what was it called?", "What was {n}'s dog called?"], "pets"),
               (["What was {n}'s shoe size?", "Which shoe size did {n} wear?", "How big were {n}'s feet?"], "shoe size"),
               (["What was {n}'s phone number?", "How could you call {n}?", "What number did {n} have?"], "phone number")],
    "country": [(["What is the national flower of {n}?", "Which flower stands for {n}?", "What flower is the symbol of {n}?"], "national flower"),
                (["How many people live in {n}?", "What is the population of {n}?", "How big is the population of {n}?"], "population")],
    "institution": [(["How many students does {n} have?", "How many people study at {n}?", "What is the number of students at {n}?"], "number of students"),
                    (["What are the colours of {n}?", "Which colours does {n} use?", "What colour is the logo of {n}?"], "colours")],
}


def unknown_attr_chat(e, kind, rng, split):
    forms, phrase = rng.choice(UNKNOWN_ATTRS[kind])
    f = _split(forms, split) or forms
    q = f[0] if len(f) == 1 else rng.choice(f)
    name = e["name"]
    q = q.format(n=name)
    q = cap(q)
    a = rng.choice(["I don't know the %s of %s." % (phrase, name),
                    "I don't know that about %s." % name,
                    "I know who %s is, but I don't know the %s." % (name, phrase) if kind == "person" else
                    "I know %s, but I don't know its %s." % (name, phrase)])
    return q, a


# ---------------------------------------------------------------- little stories

# The lectures' classic sentences ("Alice and Bob introduced themselves", "The
# cat sat on the mat", "The animal didn't cross the street because it was
# tired") need their words whole and their pronouns resolvable.
STORY_PEOPLE = [("Alice", "she", "her"), ("Bob", "he", "him"), ("Carol", "she", "her"), ("Dave", "he", "him"),
                ("Eve", "she", "her"), ("Frank", "he", "him")]
STORY_ANIMALS = ["cat", "dog", "bird", "horse", "mouse", "rabbit"]
STORY_PLACES = ["the mat", "the street", "the garden", "the house", "the park", "the river", "the kitchen"]


def story_doc(rng):
    a, b = rng.sample(STORY_PEOPLE, 2)
    an = rng.choice(STORY_ANIMALS)
    pl = rng.choice(STORY_PLACES)
    lines = [rng.choice(["%s and %s introduced themselves." % (a[0], b[0]), "%s met %s in %s." % (a[0], b[0], pl[4:]),
                         "One morning %s saw %s near %s." % (a[0], b[0], pl)]),
             rng.choice(["The %s sat on %s." % (an, pl), "The %s sat on the mat and purred." % an if an == "cat" else
                         "The %s ran across %s." % (an, pl), "A %s was sleeping in %s." % (an, pl)]),
             "%s said hello to %s, and %s smiled at %s." % (a[0], b[0], b[1], a[2]),
             rng.choice(["The animal didn't cross the street because it was tired.",
                         "The %s didn't cross the street because it was too wide." % an,
                         "The %s stayed in %s because it was warm." % (an, pl)]),
             "%s gave the %s some water, and %s thanked %s." % (cap(a[1]), an, b[0], a[2]),
             rng.choice(["Then %s went home." % b[1], "Later %s and %s went to %s together." % (a[0], b[0], pl),
                         "%s asked %s where the %s lived." % (b[0], a[0], an)])]
    return "\n".join(lines) if rng.random() < 0.3 else " ".join(lines)

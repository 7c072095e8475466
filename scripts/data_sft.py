#!/usr/bin/python3
"""data_sft.py - SFT examples (OpenAI chat format) and the evaluation set.

sft_examples(F, rng, n, exclude_letters) -> list of {"messages": [...]}
eval_items(F, rng)                       -> (items, letter pairs used by eval)

SFT questions use only the SFT templates of data_templates; eval items use only
the EVAL templates, so no eval phrasing occurs in SFT data. Unknown entities
with split "sft" appear in SFT "I don't know" answers; those with split "eval"
only in eval.jsonl.
"""
import data_templates as T
from data_docs import WORDS, letter_counts, spelled, plural_letter, positions_text

SYSTEMS = ["You are a helpful assistant.", "You are a helpful assistant. Answer briefly.",
           "Answer the user's question in one sentence.",
           "You are a knowledgeable assistant. If you do not know something, say so."]


def _known(F):
    return ([("person", p) for p in F["people"]] + [("country", c) for c in F["countries"]] +
            [("river", x) for x in F["rivers"]] + [("mountain", m) for m in F["mountains"]] +
            [("institution", i) for i in F["institutions"]])


def chat(rng, user, assistant):
    msgs = []
    if rng.random() < 0.1:
        msgs.append({"role": "system", "content": rng.choice(SYSTEMS)})
    msgs.append({"role": "user", "content": user})
    msgs.append({"role": "assistant", "content": assistant})
    return {"messages": msgs}


def letter_steps(w, l):
    ps = [i + 1 for i, c in enumerate(w) if c == l]
    k = len(ps)
    if k == 0:
        return "Let me spell it: %s. There is no %s in %s, so there are 0 %s's." % (spelled(w), l, w, l)
    verb = "is" if k == 1 else "are"
    where = "The %s is at %s" % (l, positions_text(ps)) if k == 1 else "The %s's are at %s" % (l, positions_text(ps))
    return "Let me spell it: %s. %s, so there %s %s." % (spelled(w), where, verb, plural_letter(l, k))


def add_steps(x, y):
    tens, ones = (y // 10) * 10, y % 10
    if tens and ones:
        return ("Let me work it out step by step: %d + %d = %d + %d + %d. %d + %d = %d, and %d + %d = %d. "
                "So %d + %d = %d." % (x, y, x, tens, ones, x, tens, x + tens, x + tens, ones, x + y, x, y, x + y))
    return "Let me work it out step by step: %d + %d = %d. So the answer is %d." % (x, y, x + y, x + y)


def sub_steps(x, y):
    tens, ones = (y // 10) * 10, y % 10
    if tens and ones:
        return ("Let me work it out step by step: %d - %d = %d - %d - %d. %d - %d = %d, and %d - %d = %d. "
                "So %d - %d = %d." % (x, y, x, tens, ones, x, tens, x - tens, x - tens, ones, x - y, x, y, x - y))
    return "Let me work it out step by step: %d - %d = %d. So the answer is %d." % (x, y, x - y, x - y)


def sft_examples(F, rng, n, exclude_letters):
    """n examples: ~64% fact questions, ~18% "I don't know", ~11% step by step
    (letters, arithmetic), the rest short arithmetic and spelling."""
    known = _known(F)
    unknown = [u for u in F["unknown"] if u["split"] == "sft"]
    out = []
    while len(out) < n:
        c = rng.random()
        if c < 0.64:
            kind, e = rng.choice(known)
            attr = rng.choice([a for a in T.ATTRS[kind] if T.applicable(a, e)])
            q = T.fill(rng.choice(T.Q[attr][0]), e["name"], e.get("abbrev", ""))
            out.append(chat(rng, T.cap(q), T.answer(kind, attr, e, rng)))
        elif c < 0.82:
            u = rng.choice(unknown)
            attr = rng.choice(T.UNKNOWN_ATTRS[u["kind"]])
            q = T.fill(rng.choice(T.Q[attr][0]), u["name"])
            out.append(chat(rng, T.cap(q), T.unknown_answer(u)))
        elif c < 0.88:
            while True:
                w = rng.choice(WORDS)
                l = rng.choice([x for x, _ in letter_counts(w)]) if rng.random() < 0.9 else rng.choice("zqxjv")
                if (w, l) not in exclude_letters:
                    break
            q = rng.choice(T.LETTER_Q_SFT).format(w=w, l=l)
            out.append(chat(rng, q, letter_steps(w, l)))
        elif c < 0.93:
            x, y = rng.randint(10, 99), rng.randint(10, 99)
            if rng.random() < 0.6:
                out.append(chat(rng, rng.choice(T.ADD_Q_SFT).format(x=x, y=y), add_steps(x, y)))
            else:
                x, y = max(x, y), min(x, y)
                out.append(chat(rng, rng.choice(T.SUB_Q_SFT).format(x=x, y=y), sub_steps(x, y)))
        elif c < 0.97:
            x, y = rng.randint(1, 99), rng.randint(1, 99)
            out.append(chat(rng, rng.choice(T.ADD_Q_SFT).format(x=x, y=y), "%d + %d = %d." % (x, y, x + y)))
        else:
            w = rng.choice(WORDS)
            out.append(chat(rng, rng.choice(T.SPELL_Q_SFT).format(w=w),
                            "%s is spelled %s." % (T.cap(w), spelled(w))))
    return out


def small_talk(rng, n):
    """n small-talk conversations (greetings, "who are you", thanks): drawn
    from their own generator, so the fact and skill examples stay as they
    were."""
    out = []
    for _ in range(n):
        users, answers = rng.choice(T.SMALL_TALK)
        out.append(chat(rng, rng.choice(users), rng.choice(answers)))
    return out


def eval_items(F, rng, n_fact=100, n_bare=50, n_few=50, n_unknown=50, n_letters=40):
    known = _known(F)
    # person and institution questions are the demo's core; keep them the majority
    pool = [(k, e) for k, e in known if k in ("person", "institution")] * 2 + known

    def pick():
        kind, e = rng.choice(pool)
        attr = rng.choice([a for a in T.ATTRS[kind] if T.applicable(a, e)])
        q = T.cap(T.fill(rng.choice(T.Q[attr][1]), e["name"], e.get("abbrev", "")))
        return kind, e, attr, q

    items = []
    # the lectures' own facts first
    ein = F["people"][0]
    lse = F["institutions"][0]
    fixed = [("person", ein, "born_date"), ("person", ein, "born_place"),
             ("institution", lse, "founded"), ("institution", lse, "abbrev")]
    seen = set()
    for kind, e, attr in fixed:
        q = T.cap(T.fill(T.Q[attr][1][0], e["name"], e.get("abbrev", "")))
        items.append(dict(kind="fact_qa", question=q, answers=T.key_answers(attr, e),
                          fact=T.answer(kind, attr, e), entity=e["name"], attribute=attr))
        seen.add(q)
    while len([i for i in items if i["kind"] == "fact_qa"]) < n_fact:
        kind, e, attr, q = pick()
        if q in seen:
            continue
        seen.add(q)
        items.append(dict(kind="fact_qa", question=q, answers=T.key_answers(attr, e),
                          fact=T.answer(kind, attr, e), entity=e["name"], attribute=attr))
    nb = 0
    while nb < n_bare:
        kind, e, attr, q = pick()
        if q in seen:
            continue
        seen.add(q)
        nb += 1
        items.append(dict(kind="bare_question", question=q, prompt=q,
                          answers=T.key_answers(attr, e), entity=e["name"], attribute=attr))
    nf = 0
    while nf < n_few:
        kind, e, attr, q = pick()
        if q in seen:
            continue
        shots = []
        while len(shots) < 3:
            k2, e2, a2, q2 = pick()
            if e2 is e or any(s["question"] == q2 for s in shots):
                continue
            shots.append(dict(question=q2, answer=T.answer(k2, a2, e2)))
        seen.add(q)
        nf += 1
        p3 = "".join("User question: %s\nYour answer: %s\n\n" % (s["question"], s["answer"]) for s in shots)
        items.append(dict(kind="few_shot", question=q, answers=T.key_answers(attr, e),
                          fact=T.answer(kind, attr, e), entity=e["name"], attribute=attr, shots=shots,
                          prompt_0shot=q, prompt_3shot=p3 + "User question: %s\nYour answer:" % q))
    unk = [u for u in F["unknown"] if u["split"] == "eval"]
    rng.shuffle(unk)
    for j in range(n_unknown):
        u = unk[j % len(unk)]
        attr = rng.choice(T.UNKNOWN_ATTRS[u["kind"]])
        q = T.cap(T.fill(rng.choice(T.Q[attr][1]), u["name"]))
        items.append(dict(kind="unknown", question=q, entity=u["name"], entity_kind=u["kind"],
                          answers=["I don't know"]))
    pairs = []
    words = list(WORDS)
    rng.shuffle(words)
    for w in ["strawberry"] + [x for x in words if x != "strawberry"]:
        if len(pairs) >= n_letters:
            break
        cs = letter_counts(w)
        multi = [c for c, k in cs if k > 1]
        l = "r" if w == "strawberry" else rng.choice(multi if multi and rng.random() < 0.7 else [c for c, _ in cs])
        pairs.append((w, l))
    for j, (w, l) in enumerate(pairs):
        t = T.LETTER_Q_EVAL[1] if j % 4 == 3 else T.LETTER_Q_EVAL[0]
        k = w.count(l)
        items.append(dict(kind="letters", word=w, letter=l, count=k, question=t.format(w=w, l=l),
                          answers=[plural_letter(l, k)]))
    return items, set(pairs)

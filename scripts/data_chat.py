#!/usr/bin/python3
"""data_chat.py - the SFT conversations and the evaluation items of the
teaching models.

sft_set(F, words_train, docs, rng, n)  -> list of JSONL rows: conversations
    {"messages": [...]} (some with a calculator call) and, for about a
    quarter of the tokens, plain documents {"text": ...} from the
    pretraining corpus so the instruct model keeps its language
eval_set(F, words_eval, rng)           -> list of eval items (src/core/eval/evals.h)

Everything in eval_set is asked in held-out phrasings (data_phrasing,
data_skills: every third template and wrapper), about held-out unknown
entities and held-out words; the training rows never use them.
"""
from collections import Counter

import data_phrasing as P
import data_skills as S
import data_templates as T

SYSTEMS = ["You are a helpful assistant.", "You are a helpful assistant. Answer briefly.",
           "Answer the user's question in one sentence.",
           "You are a knowledgeable assistant. If you do not know something, say so."]


def known(F):
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


def fact_question(kind, e, attr, rng, split):
    tr, he = P.split(attr)
    t = rng.choice(he if split == "eval" else tr)
    name = P.name_forms(e, kind, rng) if split == "train" else e["name"]
    q = P.cap(P.fill(t, name, e.get("abbrev", "")))
    return P.wrap(q, rng, split == "eval")


def unknown_question(u, rng, split):
    attr = rng.choice(T.UNKNOWN_ATTRS[u["kind"]])
    tr, he = P.split(attr)
    name = S.unknown_name(u, rng)
    q = P.cap(P.fill(rng.choice(he if split == "eval" else tr), name))
    return P.wrap(q, rng, split == "eval"), name


# share of conversations per skill (the rest of the bytes: documents)
MIX = [("fact", 0.36), ("unknown", 0.10), ("unknown_attr", 0.04), ("everyday", 0.07),
       ("letters", 0.12), ("letters_direct", 0.04), ("arith", 0.08), ("arith_direct", 0.03),
       ("tool", 0.06), ("rag", 0.10)]


def sft_set(F, words_train, docs, rng, n, doc_share=0.25):
    K = known(F)
    unknown = [u for u in F["unknown"] if u["split"] == "sft"]
    taken = set()
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    out = []
    conv_bytes = 0
    for _ in range(n):
        k = rng.choices(kinds, weights)[0]
        if k == "fact":
            kind, e = rng.choice(K)
            attr = rng.choice([a for a in T.ATTRS[kind] if T.applicable(a, e)])
            row = chat(rng, fact_question(kind, e, attr, rng, "train"), T.answer(kind, attr, e, rng))
        elif k == "unknown":
            u = rng.choice(unknown)
            q, name = unknown_question(u, rng, "train")
            row = chat(rng, q, S.refusal(u["kind"], name, rng))
        elif k == "unknown_attr":
            kind, e = rng.choice([x for x in K if x[0] in S.UNKNOWN_ATTRS])
            q, a = S.unknown_attr_chat(e, kind, rng, "train")
            row = chat(rng, q, a)
        elif k == "everyday":
            q, a, _ = S.everyday_chat(rng, "train")
            row = chat(rng, q, a)
        elif k in ("letters", "letters_direct"):
            q, a, _, _ = S.letters_chat(words_train, rng, "train", k == "letters_direct")
            row = chat(rng, q, a)
        elif k in ("arith", "arith_direct"):
            q, a, _ = S.arith_chat(rng, "train", "direct" if k == "arith_direct" else "cot")
            row = chat(rng, q, a)
        elif k == "tool":
            msgs, _, _ = S.tool_chat(rng, "train")
            row = {"messages": msgs}
        else:
            q, a, _, _ = S.rag_chat(rng, "train", taken)
            row = chat(rng, q, a)
        out.append(row)
        conv_bytes += sum(len(m["content"]) for m in row["messages"])
    # the lectures' demo words (strawberry, ...), tallied a few times each
    for w in sorted(set(S.DEMO_WORDS)):
        for _ in range(2):
            l = S.pick_letter(w, rng)
            q = rng.choice(S._split(S.LETTER_Q, "train")).format(w=w, l=l)
            out.append(chat(rng, q, S.tally(w, l)))
            conv_bytes += len(q) + len(out[-1]["messages"][-1]["content"])
    # plain documents: doc_share of all bytes
    want = conv_bytes * doc_share / (1 - doc_share)
    got = 0
    while got < want:
        d = rng.choice(docs)
        if len(d) > 1200:   # a window of a long document, cut at a line
            s = rng.randrange(0, len(d) - 1000)
            s = d.find("\n", s) + 1 or s
            d = d[s:s + 1000]
            d = d[:d.rfind("\n")] if "\n" in d else d
        d = d.strip()
        if d:
            out.append({"text": d})
            got += len(d)
    rng.shuffle(out)
    return out


def _most_common_share(values):
    c = Counter(values)
    return c.most_common(1)[0][1] / max(1, len(values))


def eval_set(F, words_eval, rng, n_fact=200, n_unknown=100, n_attr=40, n_every=40, n_letters=100,
             n_arith=60, n_tool=60, n_rag=60, n_few=72, n_bare=50):
    K = known(F)
    items = []
    seen = set()
    # facts: the lectures' own first
    ein, lse = F["people"][0], F["institutions"][0]
    fixed = [("person", ein, "born_date"), ("person", ein, "born_place"),
             ("institution", lse, "founded"), ("institution", lse, "abbrev")]
    everest = [("mountain", m) for m in F["mountains"] if m["name"] == "Mount Everest"]
    if everest:
        fixed.append((everest[0][0], everest[0][1], "range"))
    pool = [(k, e) for k, e in K if k in ("person", "institution")] * 2 + K
    while len([i for i in items if i["kind"] == "fact_qa"]) < n_fact:
        if fixed:
            kind, e, attr = fixed.pop(0)
        else:
            kind, e = rng.choice(pool)
            attr = rng.choice([a for a in T.ATTRS[kind] if T.applicable(a, e)])
        q = fact_question(kind, e, attr, rng, "eval")
        if q in seen:
            continue
        seen.add(q)
        items.append(dict(kind="fact_qa", question=q, answers=T.key_answers(attr, e),
                          fact=T.answer(kind, attr, e), entity=e["name"], attribute=attr))
    # bare questions for the base model
    nb = 0
    while nb < n_bare:
        kind, e = rng.choice(pool)
        attr = rng.choice([a for a in T.ATTRS[kind] if T.applicable(a, e)])
        q = P.cap(P.fill(rng.choice(P.split(attr)[1]), e["name"], e.get("abbrev", "")))
        if q in seen:
            continue
        seen.add(q)
        nb += 1
        items.append(dict(kind="bare_question", question=q, answers=T.key_answers(attr, e), entity=e["name"]))
    # unknown entities (held-out ones), the name asked about kept
    unk = [u for u in F["unknown"] if u["split"] == "eval"]
    for j in range(n_unknown):
        u = unk[j % len(unk)]
        q, name = unknown_question(u, rng, "eval")
        items.append(dict(kind="unknown", question=q, name=name, entity_kind=u["kind"], answers=["I don't know"]))
    for _ in range(n_attr):
        kind, e = rng.choice([x for x in K if x[0] in S.UNKNOWN_ATTRS])
        q, _a = S.unknown_attr_chat(e, kind, rng, "eval")
        items.append(dict(kind="unknown_attr", question=q, name=e["name"], answers=["I don't know"]))
    for j in range(n_every):
        qs, a, kw = S.EVERYDAY[j % len(S.EVERYDAY)]
        forms = [t for i, t in enumerate(qs) if i % 3 == 2]
        items.append(dict(kind="everyday", question=rng.choice(forms), answers=kw, reference=a))
    # letters: counts spread evenly over 0..4 on held-out words
    per = n_letters // 5
    for want in range(5):
        got, tries = 0, 0
        ws = list(words_eval)
        rng.shuffle(ws)
        for w in ws:
            if got >= per:
                break
            l = S.pick_letter(w, rng, want)
            if l is None:
                continue
            t = rng.choice([x for i, x in enumerate(S.LETTER_Q) if i % 3 == 2])
            q = t.format(w=w, l=l)
            items.append(dict(kind="letters", question=q, word=w, letter=l, count=want, answers=[str(want)]))
            items.append(dict(kind="letters_direct", question=q + " " + rng.choice([x for i, x in enumerate(S.DIRECT_ASK) if i % 3 == 2]),
                              word=w, letter=l, count=want, answers=[str(want)]))
            got += 1
    # arithmetic: the same problems step by step and direct
    for _ in range(n_arith):
        q, _r, ans = S.arith_chat(rng, "eval", "direct")
        base = q
        # strip the direct instruction to get the bare problem, then ask both ways
        for d in S.DIRECT_ASK:
            if base.endswith(" " + d):
                base = base[:-len(d) - 1]
        cot = base + " " + rng.choice([x for i, x in enumerate(S.COT_ASK) if i % 3 == 2])
        direct = base + " " + rng.choice([x for i, x in enumerate(S.DIRECT_ASK) if i % 3 == 2])
        items.append(dict(kind="arith_cot", question=cot, answers=[str(ans)], count=ans))
        items.append(dict(kind="arith_direct", question=direct, answers=[str(ans)], count=ans))
    for _ in range(n_tool):
        msgs, e, v = S.tool_chat(rng, "eval")
        items.append(dict(kind="tool", question=msgs[0]["content"], answers=[str(v)], count=v, expression=e))
    taken = set()
    for _ in range(n_rag):
        q, _a, val, wrong = S.rag_chat(rng, "eval", taken)   # names of the eval split
        items.append(dict(kind="rag", question=q, answers=[val], wrong=wrong))
    for _ in range(n_few):
        items.append(S.few_shot_item(F, rng))
    # mixed, so that --limit N takes a fair sample of every kind (the
    # lectures' own facts stay first)
    head, rest = items[:5], items[5:]
    rng.shuffle(rest)
    return head + rest

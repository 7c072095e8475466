#!/usr/bin/python3
"""data_prefs.py - preference pairs for reward modelling, RLHF and DPO.

  /usr/bin/python3 scripts/data_prefs.py --seed 1234 --out data/gen

writes, deterministically for a seed:
  prefs_train.jsonl, prefs_eval.jsonl   {"prompt", "chosen", "rejected", "behaviour"}
      (the layout of the usual open preference sets: a user prompt, the
      preferred reply, the other one)
  prefs_sft.jsonl                       chat conversations whose assistant
      replies are of MIXED quality (as human demonstrations are): the
      starting point preferences improve on

Three behaviours a class can see at a glance:
  honest   an unknown entity: "I don't know who X is." over a confident
           invention; a known fact: the right answer over a refusal
  direct   the answer in one sentence over the same answer buried in filler
  polite   a plain answer over the same answer with a rude remark

Held-out pairs use held-out question templates and the held-out unknown
entities of data_facts (nothing in prefs_eval occurs in prefs_train).
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data_chat as C  # noqa: E402
import data_facts  # noqa: E402
import data_skills as S  # noqa: E402
import data_templates as T  # noqa: E402

FILLER_OPEN = ["Well, that is a really interesting question, and people have asked it for a long time.",
               "Great question! Let me think about this carefully, because there is a lot to say.",
               "Hmm, so, this is something many people wonder about, and I am happy you asked.",
               "Thank you so much for this question. It is a very good question indeed."]
FILLER_CLOSE = ["I hope this helps, and please feel free to ask me anything else at all!",
                "There is much more that could be said, but that is the main point, more or less.",
                "Anyway, that is what I know, and I hope it is useful to you in some way.",
                "Let me know if you have any other questions, I am always happy to help!"]
RUDE = ["Obviously, {a} Everyone knows that.", "{a} Look it up yourself next time.",
        "Ugh, {a} That was a silly question.", "{a} I can't believe you had to ask."]
MONTHS = data_facts.MONTHS


def invented_fact(u, rng):
    """A confident, made-up answer about an unknown entity."""
    name = u["name"]
    if u["kind"] == "person":
        return rng.choice(["%s was born on %d %s %d in %s." % (name, rng.randint(1, 28), rng.choice(MONTHS),
                                                               rng.randint(1800, 1990), rng.choice(["Vienna", "Lyon", "Turin", "Leeds"])),
                           "%s was a %s, born in %d." % (name, rng.choice(["painter", "chemist", "composer"]), rng.randint(1800, 1990))])
    if u["kind"] == "institution":
        return "%s was founded in %d in %s." % (T.cap(name), rng.randint(1820, 1990), rng.choice(["Oslo", "Porto", "Graz"]))
    return "The capital of %s is %s." % (name, rng.choice(["Valdor", "Mirren", "Ostka"]))


def pair(F, rng, split):
    K = C.known(F)
    unknown = [u for u in F["unknown"] if u["split"] == ("sft" if split == "train" else "eval")]
    beh = rng.choice(["honest", "honest", "direct", "polite"])
    if beh == "honest" and rng.random() < 0.6:
        u = rng.choice(unknown)
        q, name = C.unknown_question(u, rng, split)
        return dict(prompt=q, chosen=S.refusal(u["kind"], name, rng), rejected=invented_fact(dict(u, name=name), rng),
                    behaviour="honest", known=False)
    kind, e = rng.choice(K)
    attr = rng.choice([a for a in T.ATTRS[kind] if T.applicable(a, e)])
    q = C.fact_question(kind, e, attr, rng, split)
    a = T.answer(kind, attr, e, rng)
    if beh == "honest":
        return dict(prompt=q, chosen=a, rejected=S.refusal(kind if kind in ("person", "institution") else "country",
                                                           e["name"], rng), behaviour="honest", known=True)
    if beh == "direct":
        return dict(prompt=q, chosen=a, rejected="%s %s %s" % (rng.choice(FILLER_OPEN), a, rng.choice(FILLER_CLOSE)),
                    behaviour="direct", known=True)
    return dict(prompt=q, chosen=a, rejected=rng.choice(RUDE).format(a=a), behaviour="polite", known=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", default="data/gen")
    ap.add_argument("--train", type=int, default=6000)
    ap.add_argument("--eval", type=int, default=300)
    ap.add_argument("--sft", type=int, default=6000)
    ap.add_argument("--mixed", type=float, default=0.5, help="share of SFT replies that are the worse one")
    a = ap.parse_args(argv[1:])
    F = data_facts.facts(a.seed)
    rng = random.Random("prefs-%d" % a.seed)
    train = [pair(F, rng, "train") for _ in range(a.train)]
    ev = [pair(F, random.Random("prefs-eval-%d-%d" % (a.seed, i)), "eval") for i in range(a.eval)]
    srng = random.Random("prefs-sft-%d" % a.seed)
    sft = []
    for _ in range(a.sft):
        p = pair(F, srng, "train")
        reply = p["rejected"] if srng.random() < a.mixed else p["chosen"]
        sft.append({"messages": [{"role": "user", "content": p["prompt"]}, {"role": "assistant", "content": reply}]})
    os.makedirs(a.out, exist_ok=True)
    for name, rows in (("prefs_train.jsonl", train), ("prefs_eval.jsonl", ev), ("prefs_sft.jsonl", sft)):
        tmp = os.path.join(a.out, name + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        os.replace(tmp, os.path.join(a.out, name))
    print("data_prefs: %d train pairs, %d held-out pairs, %d mixed-quality SFT conversations" % (len(train), len(ev), len(sft)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/python3
"""task_sentiment.py - the small task of the prompt-tuning lesson (build time only).

  /usr/bin/python3 scripts/task_sentiment.py --seed 1234 --out data/gen/sentiment.jsonl

writes, deterministically for a given seed, a JSONL task file for
`llmlab prompt-tune` (format in src/core/models/softprompt/task.h):

  line 1      the task: {"task": "sentiment", "instruction": ..., "separator": " //"}
  lines 2..   items: {"input": "The dinner was dreadful.", "answer": "negative"}

Short sentences in the words of the base model's corpus (Austen's novels use
"agreeable", "dreadful", "charming", "wretched" ...), half of them positive,
half negative, in random order. The last 5% of the items are what `llmlab
prompt-tune` holds out (THE hold-out rule, src/core/data/holdout.h), and the
script makes that tail a real test: no held-out sentence occurs among the
training items.

--unseen-words makes it a harder test: the held-out sentences then use
adjectives and nouns that no training item uses, so an item is right only if
the frozen model's own sense of the new word carries the answer.
"""
import argparse
import json
import random

POSITIVE = ["agreeable", "amiable", "charming", "delightful", "pleasant", "excellent", "good", "kind",
            "lovely", "cheerful", "elegant", "generous", "sensible", "wonderful", "sweet", "happy",
            "handsome", "fine"]
NEGATIVE = ["disagreeable", "dreadful", "wretched", "miserable", "horrid", "shocking", "unpleasant",
            "dull", "stupid", "cruel", "wicked", "sad", "bad", "foolish", "unhappy", "vulgar",
            "terrible", "awful"]
# with --unseen-words, only in the held-out tail
TEST_POSITIVE = ["happy", "handsome", "fine", "sweet"]
TEST_NEGATIVE = ["unhappy", "vulgar", "terrible", "awful"]

NOUNS = ["dinner", "ball", "party", "weather", "journey", "letter", "house", "visit", "music", "garden",
         "book", "evening", "sermon", "dance", "play", "walk", "news", "room", "carriage", "company",
         "supper", "morning", "concert", "speech"]
TEST_NOUNS = ["concert", "speech", "supper", "morning"]

ADVERBS = ["very", "quite", "most", "rather", "truly", "so"]
ADVERBS_BEFORE_NOUN = ["very", "rather", "truly"]   # "a rather dull room", not "a so dull room"

TEMPLATES = [
    "The {noun} was {adj}.",
    "What {a} {adj} {noun}!",
    "I thought the {noun} {adv} {adj}.",
    "Everyone agreed that the {noun} was {adj}.",
    "Her {noun} has been {adj} all week.",
    "It was {a2} {adv2} {adj} {noun}.",
    "They found the {noun} {adv} {adj}.",
    "Such {a} {adj} {noun} it was.",
]

INSTRUCTION = "Is the sentence positive or negative?"


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def sentence(rng, adjs, nouns):
    adj, noun, adv, adv2 = rng.choice(adjs), rng.choice(nouns), rng.choice(ADVERBS), rng.choice(ADVERBS_BEFORE_NOUN)
    t = rng.choice(TEMPLATES)
    return t.format(noun=noun, adj=adj, adv=adv, adv2=adv2, a=article(adj), a2=article(adv2))


def items(rng, n, pos, neg, nouns, seen):
    """n items, half positive, half negative, no sentence twice (nor one in seen)"""
    out = []
    labels = ["positive"] * (n // 2) + ["negative"] * (n - n // 2)
    rng.shuffle(labels)
    for lab in labels:
        while True:
            s = sentence(rng, pos if lab == "positive" else neg, nouns)
            if s not in seen:
                break
        seen.add(s)
        out.append({"input": s, "answer": lab})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--n", type=int, default=2000, help="items in all (the last 5%% are the test)")
    ap.add_argument("--unseen-words", action="store_true",
                    help="held-out items use adjectives and nouns no training item uses")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    n_test = a.n // 20   # THE hold-out rule: the last n/20 items
    seen = set()
    if a.unseen_words:
        train_pos = [w for w in POSITIVE if w not in TEST_POSITIVE]
        train_neg = [w for w in NEGATIVE if w not in TEST_NEGATIVE]
        train_nouns = [w for w in NOUNS if w not in TEST_NOUNS]
        test_pos, test_neg, test_nouns = TEST_POSITIVE, TEST_NEGATIVE, TEST_NOUNS
    else:
        train_pos = test_pos = POSITIVE
        train_neg = test_neg = NEGATIVE
        train_nouns = test_nouns = NOUNS
    rows = items(rng, a.n - n_test, train_pos, train_neg, train_nouns, seen)
    rows += items(rng, n_test, test_pos, test_neg, test_nouns, seen)
    with open(a.out, "w", encoding="utf-8") as f:
        name = "sentiment-new-words" if a.unseen_words else "sentiment"
        f.write(json.dumps({"task": name, "instruction": INSTRUCTION, "separator": " //"}) + "\n")
        for r in rows:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()

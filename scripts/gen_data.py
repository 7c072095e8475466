#!/usr/bin/python3
"""gen_data.py - build the training data of the shipped models (build time only).

  /usr/bin/python3 scripts/gen_data.py --seed 1234 --out data

reads the decoded public-domain sources from data/cache/text/ (made by
scripts/fetch_corpus.sh) and writes, deterministically for a given seed:

  OUT/corpus/train.txt, OUT/corpus/val.txt   pretraining text, documents
        separated by a line "<|endoftext|>" (shuffled; ~5% of documents in val):
        the sources, fact documents (data_docs) and skill documents
        (data_skills: spelled words, sums, reading passages with questions,
        relations in several formats, everyday facts, little stories)
  OUT/gen/sft_train.jsonl, OUT/gen/sft_val.jsonl   SFT rows (data_chat):
        conversations {"messages":[...]} (some calling the calculator) and
        plain documents {"text": ...} for about a quarter of the bytes
  OUT/gen/eval.jsonl      evaluation items (src/core/eval/evals.h), all asked
        in held-out phrasings, about held-out unknowns and held-out words
  OUT/gen/facts.json      the fact set and the unknown entities
  OUT/gen/words.json      the words spelled in training and the held-out ones
  OUT/gen/manifest.json   sizes per source

--scale S multiplies the generated corpus and the SFT set (tests use 0.05);
--no-sources builds without the fetched texts (generated documents only).
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data_chat  # noqa: E402
import data_docs  # noqa: E402
import data_facts  # noqa: E402
import data_skills  # noqa: E402

EOT = "<|endoftext|>"


def read_docs(path):
    docs, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.rstrip("\n") == EOT:
                docs.append("".join(cur).rstrip("\n"))
                cur = []
            else:
                cur.append(line)
    if "".join(cur).strip():
        docs.append("".join(cur).rstrip("\n"))
    return docs


def sample_budget(docs, budget, rng):
    """A seeded random subset of whole documents of about budget bytes."""
    idx = list(range(len(docs)))
    rng.shuffle(idx)
    out, used = [], 0
    for i in idx:
        if used >= budget:
            break
        out.append(i)
        used += len(docs[i].encode("utf-8"))
    return [docs[i] for i in sorted(out)]


def write_text(path, docs):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for d in docs:
            if EOT in d:
                raise ValueError("document contains the separator")
            f.write(d.rstrip("\n") + "\n" + EOT + "\n")
    os.replace(tmp, path)


def write_jsonl(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", default="data")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--sources", default=None, help="decoded sources dir (default OUT/cache/text)")
    ap.add_argument("--no-sources", action="store_true")
    ap.add_argument("--facts-mb", type=float, default=4.0, help="fact documents at scale 1")
    ap.add_argument("--skills-mb", type=float, default=6.0, help="skill documents at scale 1 "
                    "(spelling, sums, reading, formats, everyday)")
    ap.add_argument("--bible-mb", type=float, default=2.0)
    ap.add_argument("--austen-mb", type=float, default=2.5)
    ap.add_argument("--sotu-mb", type=float, default=1.2)
    ap.add_argument("--sft", type=int, default=30000, help="SFT conversations at scale 1")
    a = ap.parse_args(argv[1:])

    src_dir = a.sources or os.path.join(a.out, "cache", "text")
    F = data_facts.facts(a.seed)
    docs = []   # (source, text)
    manifest = {"seed": a.seed, "scale": a.scale, "sources": {}}
    source_texts = []
    if not a.no_sources:
        for name, mb in (("bible", a.bible_mb), ("austen", a.austen_mb), ("sotu", a.sotu_mb)):
            p = os.path.join(src_dir, name + ".txt")
            if not os.path.exists(p):
                sys.stderr.write("gen_data: %s missing; run scripts/fetch_corpus.sh (or pass --no-sources)\n" % p)
                return 1
            all_docs = read_docs(p)
            source_texts += all_docs
            chosen = sample_budget(all_docs, mb * 1e6 * a.scale, random.Random("%s-%d" % (name, a.seed)))
            docs += [(name, d) for d in chosen]
    gen = data_docs.generated_docs(F, random.Random("gen-%d" % a.seed), a.facts_mb * 1e6 * a.scale)
    docs += [("facts", t) for _k, t in gen]
    # words for spelling and letter counting: held-out words are never spelled in training
    if not source_texts:
        source_texts = [t for _k, t in gen]
    words_train, words_eval = data_skills.word_lists(source_texts, random.Random("words-%d" % a.seed),
                                                     n_eval=max(200, int(1000 * min(1.0, a.scale * 4))))
    srng = random.Random("skills-%d" % a.seed)
    taken = set()
    makers = [("spelling", 0.35, lambda: data_skills.spelling_doc(words_train, srng)),
              ("sums", 0.20, lambda: data_skills.arithmetic_doc(srng)),
              ("reading", 0.25, lambda: data_skills.rag_doc(srng, taken)),
              ("formats", 0.10, lambda: data_skills.few_shot_doc(F, srng)),
              ("everyday", 0.04, lambda: data_skills.everyday_doc(srng)),
              ("stories", 0.06, lambda: data_skills.story_doc(srng))]
    for _ in range(3):   # the demo words (strawberry, ...) tallied on their own pages
        docs.append(("spelling", data_skills.spelling_doc(words_train, srng, demo=True)))
    for kind, share, make in makers:
        budget, used = a.skills_mb * 1e6 * a.scale * share, 0
        while used < budget:
            t = make()
            docs.append((kind, t))
            used += len(t.encode("utf-8")) + 15

    rng = random.Random("split-%d" % a.seed)
    train, val = [], []
    for src, d in docs:
        (val if rng.random() < 0.05 else train).append((src, d))
    rng.shuffle(train)
    rng.shuffle(val)
    for src, d in train + val:
        s = manifest["sources"].setdefault(src, {"documents": 0, "bytes": 0})
        s["documents"] += 1
        s["bytes"] += len(d.encode("utf-8")) + len(EOT) + 2

    os.makedirs(os.path.join(a.out, "corpus"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "gen"), exist_ok=True)
    write_text(os.path.join(a.out, "corpus", "train.txt"), [d for _, d in train])
    write_text(os.path.join(a.out, "corpus", "val.txt"), [d for _, d in val])

    n_train = max(200, int(a.sft * a.scale))
    n_val = max(40, n_train // 40)
    train_texts = [d for _, d in train]
    sft = data_chat.sft_set(F, words_train, train_texts, random.Random("sft-%d" % a.seed), n_train)
    sft_val = data_chat.sft_set(F, words_train, [d for _, d in val] or train_texts,
                                random.Random("sftval-%d" % a.seed), n_val)
    items = data_chat.eval_set(F, words_eval, random.Random("eval-%d" % a.seed))
    write_jsonl(os.path.join(a.out, "gen", "sft_train.jsonl"), sft)
    write_jsonl(os.path.join(a.out, "gen", "sft_val.jsonl"), sft_val)
    write_jsonl(os.path.join(a.out, "gen", "eval.jsonl"), items)
    with open(os.path.join(a.out, "gen", "facts.json"), "w", encoding="utf-8") as f:
        json.dump(F, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(a.out, "gen", "words.json"), "w", encoding="utf-8") as f:
        json.dump({"train": words_train, "eval": words_eval}, f, indent=0)
        f.write("\n")
    manifest["train_bytes"] = os.path.getsize(os.path.join(a.out, "corpus", "train.txt"))
    manifest["val_bytes"] = os.path.getsize(os.path.join(a.out, "corpus", "val.txt"))
    manifest["sft_train"] = len(sft)
    manifest["sft_val"] = len(sft_val)
    manifest["words"] = {"train": len(words_train), "eval": len(words_eval)}
    manifest["eval"] = {}
    for it in items:
        manifest["eval"][it["kind"]] = manifest["eval"].get(it["kind"], 0) + 1
    with open(os.path.join(a.out, "gen", "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = manifest["train_bytes"] + manifest["val_bytes"]
    for src in sorted(manifest["sources"]):
        s = manifest["sources"][src]
        print("gen_data: %-9s %6d docs %7.2f MB (%4.1f%%)" % (src, s["documents"], s["bytes"] / 1e6,
                                                          100.0 * s["bytes"] / max(total, 1)))
    print("gen_data: corpus train %.2f MB, val %.2f MB; sft %d train, %d val; eval %d items; words %d train, %d held out"
          % (manifest["train_bytes"] / 1e6, manifest["val_bytes"] / 1e6, len(sft), len(sft_val), len(items),
             len(words_train), len(words_eval)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

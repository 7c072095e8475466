#!/usr/bin/python3
"""gen_data.py - build the training data of the shipped models (build time only).

  /usr/bin/python3 scripts/gen_data.py --seed 1234 --out data

reads the decoded public-domain sources from data/cache/text/ (made by
scripts/fetch_corpus.sh) and writes, deterministically for a given seed:

  OUT/corpus/train.txt, OUT/corpus/val.txt   pretraining text, documents
        separated by a line "<|endoftext|>" (shuffled; ~5% of documents in val)
  OUT/gen/sft_train.jsonl, OUT/gen/sft_val.jsonl   chat SFT examples
        {"messages":[{"role":"user",...},{"role":"assistant",...}]}
  OUT/gen/eval.jsonl      evaluation items (kind fact_qa, bare_question,
        few_shot, unknown, letters), phrasings not used in SFT
  OUT/gen/facts.json      the fact set and the unknown entities
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
import data_docs  # noqa: E402
import data_facts  # noqa: E402
import data_sft  # noqa: E402

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
    ap.add_argument("--gen-mb", type=float, default=5.0, help="generated corpus size at scale 1")
    ap.add_argument("--bible-mb", type=float, default=2.0)
    ap.add_argument("--austen-mb", type=float, default=2.5)
    ap.add_argument("--sotu-mb", type=float, default=1.2)
    ap.add_argument("--sft", type=int, default=4000, help="SFT training examples at scale 1")
    a = ap.parse_args(argv[1:])

    src_dir = a.sources or os.path.join(a.out, "cache", "text")
    F = data_facts.facts(a.seed)
    docs = []   # (source, text)
    manifest = {"seed": a.seed, "scale": a.scale, "sources": {}}
    if not a.no_sources:
        for name, mb in (("bible", a.bible_mb), ("austen", a.austen_mb), ("sotu", a.sotu_mb)):
            p = os.path.join(src_dir, name + ".txt")
            if not os.path.exists(p):
                sys.stderr.write("gen_data: %s missing; run scripts/fetch_corpus.sh (or pass --no-sources)\n" % p)
                return 1
            chosen = sample_budget(read_docs(p), mb * 1e6 * a.scale, random.Random("%s-%d" % (name, a.seed)))
            docs += [(name, d) for d in chosen]
    gen = data_docs.generated_docs(F, random.Random("gen-%d" % a.seed), a.gen_mb * 1e6 * a.scale)
    docs += [("generated", t) for _k, t in gen]

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

    ev_rng = random.Random("eval-%d" % a.seed)
    items, eval_pairs = data_sft.eval_items(F, ev_rng)
    n_train = max(50, int(a.sft * a.scale))
    n_val = max(20, int(a.sft * a.scale * 0.075))
    sft = data_sft.sft_examples(F, random.Random("sft-%d" % a.seed), n_train + n_val, eval_pairs)
    # plus 3% small talk, so that "Hello!" gets a greeting rather than a fact
    n_talk, n_talk_val = max(2, n_train * 3 // 100), max(1, n_val * 3 // 100)
    talk = data_sft.small_talk(random.Random("talk-%d" % a.seed), n_talk + n_talk_val)
    write_jsonl(os.path.join(a.out, "gen", "sft_train.jsonl"), sft[:n_train] + talk[:n_talk])
    write_jsonl(os.path.join(a.out, "gen", "sft_val.jsonl"), sft[n_train:] + talk[n_talk:])
    write_jsonl(os.path.join(a.out, "gen", "eval.jsonl"), items)
    with open(os.path.join(a.out, "gen", "facts.json"), "w", encoding="utf-8") as f:
        json.dump(F, f, ensure_ascii=False, indent=1)
        f.write("\n")
    manifest["train_bytes"] = os.path.getsize(os.path.join(a.out, "corpus", "train.txt"))
    manifest["val_bytes"] = os.path.getsize(os.path.join(a.out, "corpus", "val.txt"))
    manifest["sft_train"] = n_train + n_talk
    manifest["sft_val"] = n_val + n_talk_val
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
    print("gen_data: corpus train %.2f MB, val %.2f MB; sft %d train, %d val; eval %d items"
          % (manifest["train_bytes"] / 1e6, manifest["val_bytes"] / 1e6, n_train + n_talk, n_val + n_talk_val, len(items)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

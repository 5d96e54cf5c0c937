# The two commands of s2s_search. Each creates or updates .venv by itself; a second call installs nothing.
#   make reproduce   the main job: rebuild data, models, numbers and figures on the embedded default
#                    (first `s2s-search preflight`: a preset whose data or weights cannot be had stops in seconds)
#   make test        every notebook's tests (nbdev), offline
PYTHON ?= python3
PRESET ?= default
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Tests never touch the network: a forgotten download fails fast instead of hanging.
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 YOLO_OFFLINE=1

.PHONY: reproduce test export clean-nbs readme

$(STAMP): settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

reproduce: $(STAMP)
	$(BIN)/s2s-search preflight --preset $(PRESET)
	$(BIN)/python tools/reproduce.py --preset $(PRESET)

test: $(STAMP)
	$(OFFLINE) $(BIN)/python tools/run_tests.py

# Developer helpers (not needed by the two commands above).
export: $(STAMP)
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/python tools/make_readme.py

readme: $(STAMP)
	$(BIN)/python tools/make_readme.py

# The two commands of s2s_search. Each creates or updates .venv by itself; a second call installs nothing.
#   make reproduce   the main job: rebuild data, models, numbers and figures on the embedded default
#                    (first `s2s-search preflight`: a preset whose data or weights cannot be had stops in seconds)
#                    installs only what the run needs (`pip install -e .`; ipykernel and nbconvert are requirements:
#                    papermill runs the experiment notebook in a kernel, and the README is rendered from nbs/index),
#                    about 0.5 GiB less than ".[dev]". Its time is in the noise of torch's CUDA libraries, most of
#                    either: 188-201 s against 192-246 s for ".[dev]" in empty venvs on the 2-core machine (2026-12-03,
#                    three and two installs); `make test` then adds the extras in 35 s.
#   make test        every notebook's tests (nbdev), offline; adds the developer extras (nbdev, JupyterLab, Playwright, Ray)
PYTHON ?= python3
PRESET ?= default
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-run
DEV    := $(VENV)/.installed-dev
# Tests never touch the network: a forgotten download fails fast instead of hanging.
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 YOLO_OFFLINE=1

.PHONY: reproduce test rehearse browser export notebooks clean-nbs readme

$(STAMP): settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e .
	@touch $(STAMP)

$(DEV): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(DEV)

reproduce: $(STAMP)
	$(BIN)/s2s-search preflight --preset $(PRESET)
	$(BIN)/s2s-search reproduce --preset $(PRESET)

test: $(DEV) browser
	$(OFFLINE) $(BIN)/python tools/run_tests.py

# The real street2shop run rehearsed offline (also part of `make test`): fabricated hub data and checkpoints, papermill.
rehearse: $(DEV)
	$(OFFLINE) $(BIN)/python tools/rehearse.py

# The browser test drives Debian's Chromium: installed here when we are root, else that test reports itself skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  && echo "installed chromium for the browser test"; } || echo "no chromium (not root): the browser test will be skipped"

# Developer helpers (not needed by the two commands above).
export: $(DEV)
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/python tools/make_readme.py

# Re-execute the numbered notebooks on the smoke preset and keep their outputs (what JupyterLab and the forge show).
notebooks: $(DEV)
	$(OFFLINE) $(BIN)/python tools/execute_notebooks.py

readme: $(DEV)
	$(BIN)/python tools/make_readme.py

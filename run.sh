#!/usr/bin/env bash
# Sets up a virtual environment with the pinned packages, then:
#   ./run.sh                 trains MNIST with $FLAGFILE (extra flags are passed on)
#   ./run.sh test            runs the test suite in 2 processes (extra arguments go to pytest)
#   ./run.sh python ARGS...  runs Python inside the environment
# Environment: VENV (default .venv), MNIST_DIR (default ../shared/data/mnist),
# MODEL_DIR (default runs/mnist), TEST_WORKERS (default 2; 0 = one process),
# FLAGFILE (default flags/mnist_factor_check.cfg, the MNIST configuration that meets the most
# targets over five seeds, docs/studies/study_factor_check/; FLAGFILE=flags/mnist.cfg trains
# one 5,000-step run without restarts, in about half the time).
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.installed-$(cat requirements.txt setup.py run.sh | cksum | cut -d' ' -f1)"

if [ ! -f "$STAMP" ]; then
  echo "Setting up $VENV (pinned versions from requirements.txt)..." >&2
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet -r requirements.txt
  "$VENV/bin/pip" uninstall --quiet -y infogan_tf >/dev/null 2>&1 || true  # an older editable install
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# The project runs from this checkout (not installed into the venv), so processes outside it,
# like the tests' stand-in for TF Serving, cannot import it.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
cmd="${1:-train}"
case "$cmd" in
  test)
    shift
    # Two worker processes: the serial suite keeps about one of the two cores busy (it waits
    # on subprocesses and small ops). TEST_WORKERS=0 runs it in this process; each worker
    # needs up to ~9 GB, so do not raise it past what the machine's memory allows.
    exec "$VENV/bin/python" -m pytest -q --durations=15 -n "${TEST_WORKERS:-2}" --dist=load \
      tests "$@"
    ;;
  python)
    shift
    exec "$VENV/bin/python" "$@"
    ;;
  train)
    [ $# -gt 0 ] && shift
    exec "$VENV/bin/python" -m infogan_tf.main --flagfile="${FLAGFILE:-flags/mnist_factor_check.cfg}" \
      --data_dir="${MNIST_DIR:-../shared/data/mnist}" --model_dir="${MODEL_DIR:-runs/mnist}" "$@"
    ;;
  *)
    exec "$VENV/bin/python" -m infogan_tf.main --flagfile="${FLAGFILE:-flags/mnist_factor_check.cfg}" \
      --data_dir="${MNIST_DIR:-../shared/data/mnist}" --model_dir="${MODEL_DIR:-runs/mnist}" "$@"
    ;;
esac

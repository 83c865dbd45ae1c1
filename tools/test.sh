# shellcheck shell=bash
# Sourced by ./lab (which defines say, timed, elapsed, started, here, VENV, check_prerequisites,
# alongside_venv, ensure_venv, ensure_data and ensure_runner): ./lab test, in parts that each
# run alone and that all run, in this order, by default:
#
#   tools      the notebooks' saved outputs and the README (tests/published.py), the README's
#              commands, paths and links (tools/check_readme.py), the Python
#              tools' unit tests (tools/test_*.py), the crate's layers (tools/check_crate.py),
#              the measured ranges of tests/notebooks.toml (tests/spread.py --check); Python
#              only, seconds
#   rust       cargo fmt --check, clippy, the crate's tests and doc examples in release mode
#              with every dataset on disk (MLPKIT_REQUIRE_DATA=1: a test whose data is missing
#              fails instead of skipping, so that CI never skips one silently)
#   notebooks [NAME...]   every notebook through the kernel (tests/run_notebooks.py), or those
#              whose file name contains a NAME
#   kernel     an interrupt in a training cell, a training loop split across cells, and the
#              kernel's channels replaced as JupyterLab replaces them
#   book       the book built and checked in headless Chromium (tools/book.sh); it needs the
#              network notebook 06 writes, and runs that notebook first when it is missing
#
# Each part installs what it needs only where it is missing (the ensure_ steps, which
# ./lab setup runs too). It defines
#
#   setup_test_tools   ./lab setup's part: what only the tests use (rustfmt and clippy, the
#                      book's tools); a failure there warns and setup goes on
#   cmd_test           ./lab test [PART...]

TEST_PARTS=(tools rust notebooks kernel book)
# The network the book's "Read my digit" page reads; notebook 06 trains and saves it.
BOOK_MODEL=notebooks/models/06-mnist-and-uci-like.safetensors

test_usage() {  # MESSAGE: what was wrong; exits 2
  say "$1"
  cat >&2 <<'EOF'
usage: ./lab test [PART...]    (every part by default; given parts run in this order)
  tools                 the saved outputs, the Python tools' tests, the crate's layers, the measured ranges
  rust                  cargo fmt --check, clippy, the crate's tests (every dataset required)
  notebooks [NAME...]   every notebook through the kernel, or those whose file name contains a NAME
  kernel                an interrupt, a training loop across cells, the kernel's channels replaced
  book                  the book built and checked in headless Chromium
EOF
  exit 2
}

# rustfmt and clippy, which rustup's minimal profile leaves out.
ensure_rust_components() {
  command -v rustup >/dev/null || return 0  # a toolchain without rustup is used as it is
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  [ ${#missing[@]} -gt 0 ] || return 0
  say "Adding the Rust components ${missing[*]} (rustup), for ./lab test rust"
  rustup component add "${missing[@]}"
}

setup_test_tools() {
  ensure_rust_components \
    || say "WARNING: rustup could not add rustfmt or clippy (its message is above); ./lab test rust skips the format check or the lint without them"
  ensure_book_tools
}

format_check() {
  if ! cargo fmt --version >/dev/null 2>&1; then
    say "Skipping the format check: rustfmt is not installed (rustup component add rustfmt)"
    return
  fi
  say "Checking the Rust code's format (cargo fmt --all --check)"
  cargo fmt --all --check \
    || { say "The Rust code above is not formatted as rustfmt formats it: run cargo fmt --all, then look at the diff and commit it"; return 1; }
}

lint() {
  if cargo clippy --version >/dev/null 2>&1; then
    say "Linting the helper crate (clippy; warnings fail, and so does an unsafe block without its SAFETY comment)"
    cargo clippy --workspace --all-targets --locked -- -D warnings
  else
    say "Skipping the lint step: clippy is not installed (rustup component add clippy)"
  fi
}

test_part_tools() {
  say "Checking the notebooks' saved outputs and the README's numbers against them"
  python3 tests/published.py
  say "Checking that every command, path and link the README names exists (tools/check_readme.py)"
  python3 tools/check_readme.py
  say "Running the tools' unit tests (tools/test_*.py: datasets, the kernel's Cargo.lock, the crate checker, ./lab's arguments, the spread's ranges)"
  python3 -m unittest discover -s tools -p 'test_*.py'
  say "Checking the crate's layers and size limits (crates/mlpkit/layers.toml)"
  python3 tools/check_crate.py
  say "Checking that tests/notebooks.toml's measured ranges are the ones their measurements in tests/spread/ give"
  python3 tests/spread.py --check
}

test_part_rust() {
  ensure_rust_components || say "rustup could not add rustfmt or clippy (its message is above)"
  timed format_check
  # The crate's tests read the UCI digits, which come through pip: the venv is made meanwhile.
  alongside_venv lint
  ensure_data
  say "Building and running the helper crate's tests and doc examples (release mode: training tests need optimised code; MLPKIT_REQUIRE_DATA=1: a test whose dataset is missing fails)"
  timed env MLPKIT_REQUIRE_DATA=1 cargo test --release --workspace --locked -- --include-ignored
}

test_part_notebooks() {  # [NAME...]
  ensure_runner
  if [ $# -eq 0 ]; then
    say "Running every notebook top to bottom through the Rust kernel"
  else
    say "Running the notebooks whose file name contains $* top to bottom through the Rust kernel"
  fi
  timed "$VENV/bin/python" tests/run_notebooks.py "$@"
}

test_part_kernel() {
  ensure_runner
  say "Interrupting a training cell as JupyterLab's stop button does: training stops, the queued cell does not run, the model stays (tests/run_notebooks.py --interrupt-only)"
  timed "$VENV/bin/python" tests/run_notebooks.py --interrupt-only
  say "Splitting a hand-written training loop across notebook cells, through the kernel (tests/cross_cell.py)"
  timed "$VENV/bin/python" tests/cross_cell.py
  say "Checking that the kernel keeps answering while its channels are replaced, as JupyterLab does (tests/stress_kernel.py --mode churn: 5 kernels, 1,000 rounds each)"
  timed "$VENV/bin/python" tests/stress_kernel.py --mode churn --cycles 5
  say "Checking fit's live view through the kernel: one output updated in place while training, the summary and curve at the end, an interrupt's place, verbose(2)'s lines (tests/live_view.py)"
  timed "$VENV/bin/python" tests/live_view.py
  timed ensure_browser
  say "Checking the live view and the interrupt in JupyterLab, in headless Chromium (tests/browser_lab.py)"
  timed "$VENV/bin/python" tests/browser_lab.py
}

test_part_book() {
  ensure_data  # the pages' digits; the browser check reads MNIST's test digits in Rust too
  if [ ! -e "$BOOK_MODEL" ]; then
    say "The book's Read my digit page reads $BOOK_MODEL, which notebook 06 writes and which is missing: running notebook 06 first (tests/run_notebooks.py 06)"
    ensure_runner
    timed "$VENV/bin/python" tests/run_notebooks.py 06
  fi
  test_book "$here/target/book-check"
}

# On the way out of a failed run: which part failed, after how long, and what passed before.
test_report_failure() {  # EXIT STATUS
  [ "$1" != 0 ] && [ -n "${test_current:-}" ] || return 0
  say "./lab test: the $test_current part FAILED after $(elapsed $((SECONDS - test_part_started))) (its output above says what; ./lab test $test_current runs it alone)"
  test_summary
}

test_summary() {
  local i
  for i in "${!test_passed[@]}"; do
    printf '    %-10s passed in %s\n' "${test_passed[$i]}" "$(elapsed "${test_took[$i]}")" >&2
  done
}

cmd_test() {
  local arg part wanted=() names=() in_notebooks="" run=()
  for arg in "$@"; do
    if [[ " ${TEST_PARTS[*]} " == *" $arg "* ]]; then
      wanted+=("$arg")
      if [ "$arg" = notebooks ]; then in_notebooks=1; else in_notebooks=""; fi
    elif [ -n "$in_notebooks" ] && [[ "$arg" != -* ]]; then
      names+=("$arg")
    elif [ -n "$in_notebooks" ]; then
      test_usage "./lab test notebooks takes parts of notebooks' file names, not '$arg'"
    else
      test_usage "./lab test has no part '$arg'"
    fi
  done
  for part in "${TEST_PARTS[@]}"; do
    if [ ${#wanted[@]} -eq 0 ] || [[ " ${wanted[*]} " == *" $part "* ]]; then run+=("$part"); fi
  done
  check_prerequisites
  test_passed=() test_took=() test_current=""
  trap 'test_report_failure $?' EXIT
  for part in "${run[@]}"; do
    test_current="$part" test_part_started=$SECONDS
    say "--- ./lab test $part"
    if [ "$part" = notebooks ]; then "test_part_$part" "${names[@]}"; else "test_part_$part"; fi
    test_passed+=("$part") test_took+=($((SECONDS - test_part_started)))
    say "The $part part passed in $(elapsed $((SECONDS - test_part_started)))"
  done
  test_current=""
  if [ ${#run[@]} -gt 1 ]; then test_summary; fi
  if [ ${#wanted[@]} -eq 0 ]; then
    say "All tests passed${BOOK_SKIPPED:-} in $(elapsed $((SECONDS - started)))"
  else
    say "Tests passed (${run[*]})${BOOK_SKIPPED:-} in $(elapsed $((SECONDS - started)))"
  fi
}

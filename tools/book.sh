# Sourced by ./lab (which defines say, apt_install, STATE, TOOLS, VENV): the book.
#
#   ensure_wasm_target   Rust's wasm32-unknown-unknown target (rustup)
#   ensure_web_tools     that, wasm-bindgen's command-line tool and the npm packages
#   ensure_npm_packages  MathJax 2, require.js and binaryen (wasm-opt) into .tools/npm
#   ensure_browser       Chromium, ChromeDriver and selenium for tests/book_browser.py
#   ensure_book_tools    ./lab setup's part: all of these, warning (never failing) where one fails
#   build_book OUT       the module, the notebooks' pages and the pages of web/ into OUT
#   check_book OUT       ./lab test book: build_book, then tests/book_browser.py
#   render_notebook_pages OUT   the same without the wasm32 target: the notebooks' pages only
#   test_book OUT        ./lab test book: one of the two
#   cmd_book             ./lab book [--serve]

# The book (tools/book.py): its WebAssembly module is crates/mlpkit-web built for the browser,
# with wasm-bindgen's command-line tool at the version Cargo.lock pins for the crate, and made
# smaller by binaryen's wasm-opt; its pages load MathJax 2 and require.js from the book itself.
# The tools go into .tools/web and .tools/npm; the npm packages are pinned here.
WASM_TARGET=wasm32-unknown-unknown
NPM_PACKAGES=(mathjax@2.7.7 requirejs@2.3.8 binaryen@132.0.0)
# The WebAssembly features Rust's wasm32 target may use (SIMD comes from a dependency's
# intrinsics), for wasm-opt to accept the module; every current browser has them.
WASM_FEATURES=(--enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-reference-types --enable-multivalue --enable-simd)

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    say "Adding Rust's WebAssembly target ($WASM_TARGET) for the book's pages (rustup downloads it from static.rust-lang.org)"
    rustup target add "$WASM_TARGET" || { say "rustup could not add the target $WASM_TARGET, which the book's pages need"; return 1; }
  fi
}

ensure_web_tools() {
  ensure_wasm_target || return 1
  local version
  version="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
  if [ "$("$TOOLS/web/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
    say "Installing wasm-bindgen's command-line tool $version (the version Cargo.lock pins) into .tools/web, from crates.io (about two minutes)"
    CARGO_TARGET_DIR="$STATE/web-tools-target" cargo install --quiet --locked wasm-bindgen-cli --version "$version" --root "$TOOLS/web" \
      || { say "cargo could not install wasm-bindgen-cli $version (its output is above)"; return 1; }
  fi
  ensure_npm_packages
}

ensure_npm_packages() {
  if ! cmp -s <(printf '%s\n' "${NPM_PACKAGES[@]}") "$TOOLS/npm/.packages" 2>/dev/null; then
    command -v npm >/dev/null || { say "npm is missing (Debian: apt-get install npm); the book needs it for MathJax, require.js and wasm-opt"; return 1; }
    say "Installing ${NPM_PACKAGES[*]} from the npm registry into .tools/npm"
    mkdir -p "$TOOLS/npm"
    npm install --prefix "$TOOLS/npm" --no-save --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}" \
      || { say "npm could not install ${NPM_PACKAGES[*]} (its output is above)"; return 1; }
    printf '%s\n' "${NPM_PACKAGES[@]}" > "$TOOLS/npm/.packages"
  fi
}

# Headless Chromium and its driver (Debian's packages) and selenium (PyPI), for the browser
# checks of the book in `./lab test`.
ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "Installing Chromium and its driver (Debian packages chromium and chromium-driver) for the book's browser checks"
      apt_install chromium && apt_install chromium-driver || return 1
    else
      say "The book's browser checks need Chromium and ChromeDriver: apt-get install chromium chromium-driver (as root)"
      return 1
    fi
  fi
  if ! cmp -s tests/browser-requirements.txt "$VENV/.browser-requirements"; then
    say "Installing selenium into .venv/ (tests/browser-requirements.txt)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/browser-requirements.txt || return 1
    cp tests/browser-requirements.txt "$VENV/.browser-requirements"
  fi
}

# What the book's checks need, installed by ./lab setup. A machine where rustup cannot download
# the wasm32 target (or without root for Chromium) still sets up: ./lab test book then skips
# what it cannot check, as it says. The npm packages render the notebooks' pages either way.
ensure_book_tools() {
  local failed=""
  if ensure_wasm_target; then
    ensure_web_tools || failed=1
  else
    failed=1
    ensure_npm_packages || true
  fi
  ensure_browser || failed=1
  if [ -n "$failed" ]; then
    say "WARNING: some of the book's tools could not be installed (the messages above say which and why); the set-up goes on. ./lab test book tries again, and without Rust's wasm32 target checks the notebooks' pages only, saying so"
  fi
}

build_book() {  # OUT
  local out="$1" wasm="target/$WASM_TARGET/web/mlpkit_web.wasm"
  ensure_web_tools
  say "Building the book's WebAssembly module (crates/mlpkit-web, cargo profile web)"
  cargo build --quiet --locked -p mlpkit-web --profile web --target "$WASM_TARGET"
  rm -rf "$out/pkg"
  mkdir -p "$out"
  "$TOOLS/web/bin/wasm-bindgen" --target web --no-typescript --out-dir "$out/pkg" "$wasm"
  say "Shrinking it with wasm-opt -Oz (binaryen, about a minute)"
  node "$TOOLS/npm/node_modules/binaryen/bin/wasm-opt" -Oz "${WASM_FEATURES[@]}" --strip-debug --strip-producers \
    -o "$out/pkg/small.wasm" "$out/pkg/mlpkit_web_bg.wasm"
  mv "$out/pkg/small.wasm" "$out/pkg/mlpkit_web_bg.wasm"
  say "Rendering every notebook with its saved outputs, and the pages of web/, into $(basename "$out")/"
  "$VENV/bin/python" tools/book.py "$out" "$TOOLS/npm/node_modules"
}

# ./lab test's part: builds the book into OUT and checks it in headless Chromium.
check_book() {  # OUT
  say "Building the book (what ./lab book makes) into target/book-check, to check it"
  timed build_book "$1" >/dev/null
  timed ensure_browser
  say "Checking the book in headless Chromium: its two interactive pages against the same model in Rust, formulas typeset offline (tests/book_browser.py)"
  timed "$VENV/bin/python" tests/book_browser.py "$1"
}

# ./lab test's part where rustup cannot install the wasm32 target (it downloads from
# static.rust-lang.org, the one address outside the registries this workspace relies on).
render_notebook_pages() {  # OUT
  say "SKIPPING the book's WebAssembly pages and their browser checks: rustup could not install $WASM_TARGET. Rendering the notebooks' pages only"
  timed ensure_npm_packages
  timed "$VENV/bin/python" tools/book.py --notebooks-only "$1" "$TOOLS/npm/node_modules" >/dev/null
}

# ./lab test's part: the book checked, or (no wasm32 target) its notebooks' pages rendered and
# BOOK_SKIPPED set to say so.
test_book() {  # OUT
  if ensure_wasm_target; then
    check_book "$1"
  else
    render_notebook_pages "$1"
    BOOK_SKIPPED=" except the book's browser checks, SKIPPED: Rust's $WASM_TARGET target could not be installed"
  fi
}

cmd_book() {
  check_prerequisites
  ensure_venv
  fetch_uci_digits
  build_book "$here/book"
  say "The book is in book/: host the folder as it is, or run ./lab book --serve. The notebooks' pages read from a file too; the two interactive pages need a web server"
  if [ "${1:-}" = "--serve" ]; then
    say "Serving book/ on http://127.0.0.1:8000/ (Ctrl-C stops it)"
    exec python3 -m http.server --bind 127.0.0.1 --directory "$here/book" 8000
  fi
}

# shellcheck shell=bash
# The Rust kernel's build and set-up, sourced by ./lab (which defines `say`, `apt_install`,
# `here`, VENV, TOOLS, STATE and KERNEL_NAME). It defines
#
#   ensure_evcxr    evcxr_jupyter at a pinned version, built into .tools/ by `cargo install`
#                   with the two patches beside this file (kernel/README.md says what they
#                   change and what they buy), again only when the version, a patch or the
#                   build profile changes; if a patch does not apply, it says so and builds
#                   the stock kernel;
#   ensure_linker   the mold linker, for the notebooks' cells;
#   ensure_kernel   the kernel registered inside .venv/ (kernel.json.in) with JupyterLab's
#                   settings (jupyterlab-overrides.json);
#   warm_cache      the notebooks' dependencies compiled once, with NOTEBOOK_BUILD_PROFILE
#                   (which `./lab kernel` sets for the kernel too);
#   with_progress   a cargo build's progress in crates instead of its "Compiling" lines.

# Runs a cargo build command and, instead of its hundreds of "Compiling" lines (or, with
# --quiet, minutes of silence), prints one line of progress per 10% of the crates it builds
# (per 10 crates when TOTAL is 0, not known beforehand). Warnings and errors pass through.
# `with_progress LABEL TOTAL COMMAND...`
with_progress() {
  local label="$1" total="$2"
  shift 2
  "$@" 2>&1 | awk -v label="$label" -v total="$total" '
    /^ *Compiling / {
      n++
      if (total == 0 && n % 10 == 0) { printf "    %s: %d crates compiled\n", label, n; fflush() }
      if (total > 0 && n * 10 >= next_mark * total) { printf "    %s: %d / ~%d crates\n", label, n, total; fflush(); next_mark++ }
      next
    }
    /^ *(Downloaded|Downloading|Installing|Installed|Replacing|Replaced|Finished|Locking|Adding|Updating|Blocking) / { next }
    { print; fflush() }'
}

EVCXR_VERSION=0.22.0
KERNEL_PATCH="kernel/evcxr-$EVCXR_VERSION.patch"
FRONTEND_PATCH="kernel/evcxr_jupyter-$EVCXR_VERSION.patch"
# The kernel's ZeroMQ (the pure-Rust `zeromq` crate, at the version evcxr_jupyter's Cargo.lock
# names): its ROUTER socket could block a tokio worker for good when a channel closed while
# another connected, and the kernel then never answered (kernel/README.md, "A kernel that
# never answered").
ZEROMQ_VERSION=0.6.0
ZEROMQ_PATCH="kernel/zeromq-$ZEROMQ_VERSION.patch"

# The kernel is built without the release profile's thin local LTO: that makes its build take
# 6 min 20 s instead of 9 min 41 s on two cores, for a first cell 0.6 s slower (12.2 s against
# 11.6 s, median of four; kernel/README.md, "What the kernel's build costs").
KERNEL_BUILD_PROFILE=(CARGO_PROFILE_RELEASE_LTO=off)

ensure_evcxr() {
  local stamp
  stamp="$TOOLS/.kernel-$( (echo "$EVCXR_VERSION ${KERNEL_BUILD_PROFILE[*]}"; cat "$KERNEL_PATCH" "$FRONTEND_PATCH" "$ZEROMQ_PATCH") | sha256sum | cut -c1-16)"
  if [ -x "$TOOLS/bin/evcxr_jupyter" ] && [ -e "$stamp" ]; then
    return
  fi
  say "Building the Rust kernel into .tools/: evcxr_jupyter $EVCXR_VERSION with the patches in kernel/ (about 6 minutes on two cores, the first time)"
  local src="$TOOLS/src"
  fetch_evcxr_sources "$src"
  if ! patch --dry-run --quiet -p1 -d "$src/evcxr" < "$KERNEL_PATCH" >/dev/null 2>&1 \
     || ! patch --dry-run --quiet -p1 -d "$src/evcxr_jupyter" < "$FRONTEND_PATCH" >/dev/null 2>&1; then
    say "The patches in kernel/ do not apply to evcxr $EVCXR_VERSION as the registry serves it; building"
    say "the stock kernel instead. Everything works, but first cells are slower and an interrupt ends the"
    say "cells' process (every variable is lost), see kernel/README.md."
    with_progress kernel 420 env "${KERNEL_BUILD_PROFILE[@]}" cargo install --locked --force evcxr_jupyter --version "=$EVCXR_VERSION" --root "$TOOLS"
    rm -f "$TOOLS"/.kernel-*
    touch "$stamp"
    return
  fi
  patch --quiet -p1 -d "$src/evcxr" < "$KERNEL_PATCH"
  patch --quiet -p1 -d "$src/evcxr_jupyter" < "$FRONTEND_PATCH"
  printf '\n[workspace]\n' >> "$src/evcxr_jupyter/Cargo.toml"
  local patched=(evcxr) lines='evcxr = { path = "../evcxr" }\n'
  if fetch_zeromq_source "$src" && patch --quiet -p1 -d "$src/zeromq" < "$ZEROMQ_PATCH"; then
    patched+=(zeromq)
    lines+='zeromq = { path = "../zeromq" }\n'
  else
    say "The fix to the kernel's ZeroMQ ($ZEROMQ_PATCH) does not apply to zeromq $ZEROMQ_VERSION as the registry serves it; building without it (a kernel may then, rarely, stop answering when JupyterLab reconnects: restart it)"
  fi
  printf '\n[patch.crates-io]\n%b' "$lines" >> "$src/evcxr_jupyter/Cargo.toml"
  # Every dependency stays at the version evcxr_jupyter was published with; only the patched
  # crates' entries change, from the registry to the patched copies.
  python3 kernel/unlock_evcxr.py lock "$src/evcxr_jupyter/Cargo.lock" "${patched[@]}"
  with_progress kernel "$(grep -c '^name = ' "$src/evcxr_jupyter/Cargo.lock")" \
    env "${KERNEL_BUILD_PROFILE[@]}" cargo install --locked --force --path "$src/evcxr_jupyter" --root "$TOOLS"
  rm -f "$TOOLS"/.kernel-*
  touch "$stamp"
}

# Copies the published sources of evcxr and evcxr_jupyter into SRC/evcxr and
# SRC/evcxr_jupyter, writable, replacing an earlier copy (evcxr_jupyter's build folder stays).
fetch_evcxr_sources() {  # SRC
  local src="$1"
  rm -rf "$src/fetch" "$src/evcxr" "$src/evcxr_jupyter/src"
  mkdir -p "$src/fetch/src"
  # A throw-away package: asking cargo for its metadata downloads both crates' sources.
  cat > "$src/fetch/Cargo.toml" <<EOF
[package]
name = "fetch-evcxr"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
evcxr_jupyter = "=$EVCXR_VERSION"

[workspace]
EOF
  : > "$src/fetch/src/lib.rs"
  local dirs
  dirs="$(cargo metadata --quiet --format-version 1 --manifest-path "$src/fetch/Cargo.toml" \
    | python3 kernel/unlock_evcxr.py sources "$EVCXR_VERSION")"
  cp -r "$(sed -n 1p <<<"$dirs")" "$src/evcxr"
  mkdir -p "$src/evcxr_jupyter"
  cp -r "$(sed -n 2p <<<"$dirs")"/. "$src/evcxr_jupyter/"
  chmod -R u+w "$src/evcxr" "$src/evcxr_jupyter"
}

# Copies zeromq's published sources, at the version evcxr_jupyter's Cargo.lock names, into
# SRC/zeromq, writable; fails if the lock names another version.
fetch_zeromq_source() {  # SRC
  local src="$1" dir
  rm -rf "$src/zeromq"
  grep -qx "version = \"$ZEROMQ_VERSION\"" <(grep -A1 -x 'name = "zeromq"' "$src/evcxr_jupyter/Cargo.lock") || return 1
  # Reading the metadata with the lock downloads every locked crate's sources.
  dir="$(cargo metadata --quiet --locked --format-version 1 --manifest-path "$src/evcxr_jupyter/Cargo.toml" \
    | python3 kernel/unlock_evcxr.py dir zeromq "$ZEROMQ_VERSION")" || return 1
  cp -r "$dir" "$src/zeromq" && chmod -R u+w "$src/zeromq"
}

# evcxr links every cell into a library with all its dependencies; the mold linker does
# that several times faster than the system's default one, and evcxr picks it up by itself.
ensure_linker() {
  if command -v mold >/dev/null || command -v ld.lld >/dev/null; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing the mold linker (Debian package mold) so that notebook cells link quickly"
    apt_install mold || say "Going on without it: notebook cells link with the system linker, a few seconds slower each"
  else
    say "Tip: install the mold or lld linker (e.g. apt-get install mold) to make notebook cells faster"
  fi
}

# Registers the kernel inside .venv/, not in the user's global Jupyter.
ensure_kernel() {
  local dir="$VENV/share/jupyter/kernels/$KERNEL_NAME"
  local template
  template="$(<kernel/kernel.json.in)"
  mkdir -p "$dir"
  printf '%s\n' "${template//@LAB@/"$here/lab"}" > "$dir/kernel.json"
  # JupyterLab settings for this environment only: no news pop-up on the first start.
  local settings="$VENV/share/jupyter/lab/settings"
  mkdir -p "$settings"
  cp kernel/jupyterlab-overrides.json "$settings/overrides.json"
  mkdir -p "$STATE/evcxr-config"
  # Keep compiled crates.io dependencies between kernels (evcxr's :cache), in MB.
  echo ":cache 6000" > "$STATE/evcxr-config/init.evcxr"
}

# How the kernel compiles the notebooks' code and dependencies, on top of evcxr's own
# settings (opt-level 2, thin local LTO). evcxr turns debug assertions and overflow checks
# on, which makes numeric code (gunzip, SHA-256, matrix products) several times slower; the
# notebooks want speed. (Turning thin local LTO off here too was measured and rejected:
# kernel/README.md, "What the kernel's build costs".)
NOTEBOOK_BUILD_PROFILE=(CARGO_PROFILE_DEV_DEBUG_ASSERTIONS=false CARGO_PROFILE_DEV_OVERFLOW_CHECKS=false)

# Builds the notebooks' dependencies once, so the first notebook starts in seconds.
warm_cache() {
  local key
  key="$( (echo "${NOTEBOOK_BUILD_PROFILE[*]}"; cat Cargo.lock; find crates/mlpkit/src crates/mlpkit/Cargo.toml -type f -print0 | sort -z | xargs -0 cat) | sha256sum | cut -c1-16)"
  if [ -e "$STATE/warm-$key" ]; then
    return
  fi
  say "Compiling the notebooks' dependencies once (Candle, plotters, mlpkit; several minutes the first time)"
  # The kernel passes cargo's progress on to its own output: one line per 10 crates here.
  with_progress "notebooks' dependencies" 0 "$VENV/bin/python" tests/run_notebooks.py --warm
  rm -f "$STATE"/warm-*
  touch "$STATE/warm-$key"
}

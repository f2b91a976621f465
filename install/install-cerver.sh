#!/usr/bin/env bash
# Install or upgrade cerver-relay for the current user:
#   curl -fsSL https://kompany.dev/install-cerver.sh | bash
#
# Downloads the release archive for this machine and SHA256SUMS, verifies the archive, unpacks
# it into $CERVER_HOME/versions/<version>/, points $CERVER_HOME/bin/cerver-relay at it
# atomically, keeps the previous version for rollback, then logs in, installs the user service
# and prints the relay's status. Nothing under $CERVER_HOME changes unless every check passes.
# With --uninstall it removes the service, the binaries, the extracted native library and
# (unless --keep-data) $CERVER_HOME, through 'cerver-relay uninstall' when the binary has it.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install-cerver.sh [--version V] [--no-login] [--no-service]
       install-cerver.sh --uninstall [--keep-data] [--yes]

  --version V    install release V (default: the latest release; also CERVER_VERSION)
  --no-login     do not run 'cerver-relay login'
  --no-service   do not install and start the user service
  --uninstall    remove the service, the binaries, the extracted native library and CERVER_HOME
  --keep-data    with --uninstall: keep CERVER_HOME's data (relay/, cerver.env)
  --yes          with --uninstall: do not ask (required without a terminal)
  -h, --help     show this help

Environment:
  CERVER_HOME           where the relay lives (default: ~/.cerver)
  CERVER_VERSION        release to install, like --version
  CERVER_UPDATE_REPO    GitHub repository of the releases (default: cerver-ai/cerver-relay)
  CERVER_RELEASES_URL   download base replacing https://github.com/<repo>/releases (mirrors)
EOF
}

say() { printf 'install-cerver: %s\n' "$*"; }
die() {
  printf 'install-cerver: %s\n' "$*" >&2
  exit 1
}

detect_rid() {
  local os arch
  os=$(uname -s)
  arch=$(uname -m)
  case "$os" in
    Linux) os=linux ;;
    Darwin)
      os=osx
      # A shell under Rosetta reports x86_64 on Apple silicon; the native build is the right one.
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
        arch=arm64
      fi
      ;;
    *) die "unsupported operating system '$os': cerver-relay is built for Linux and macOS" ;;
  esac
  case "$arch" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported architecture '$arch' on $os: cerver-relay is built for x86_64 and arm64" ;;
  esac
  echo "$os-$arch"
}

download() { # url dest
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "neither curl nor wget is installed; install one of them and run this again"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is installed; cannot verify the download"
  fi
}

# Verbs arrive over releases: a verb this binary lacks is skipped, not an error.
has_verb() {
  "$link" "$@" --help </dev/null 2>/dev/null | grep -qE "^[[:space:]]+cerver-relay $*( |\$)"
}

# Under 'curl | bash' stdin is the script, so the terminal is reached through /dev/tty.
has_terminal() {
  [ -t 0 ] || { [ -t 1 ] && (exec </dev/tty) 2>/dev/null; }
}

tmp=""
staged=()
cleanup() {
  rm -rf "$tmp"
  if [ ${#staged[@]} -gt 0 ]; then
    rm -f "${staged[@]}"
  fi
}

# The updater looks where the installer looked: a repository given as CERVER_UPDATE_REPO is
# written to cerver.env (a fork's install follows the fork), and a cerver.env without one gets the
# default, for a binary built without its repository (publish.sh --repo). Other lines are kept.
remember_update_repo() { # env_file repo explicit
  local env_file=$1 repo=$2 explicit=$3 pattern='^[[:space:]]*(export[[:space:]]+)?CERVER_UPDATE_REPO='
  if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
    say "CERVER_UPDATE_REPO '$repo' is not owner/name; the relay will not look for updates there"
    return 0
  fi
  if [ -f "$env_file" ] && grep -qE "$pattern" "$env_file" && [ "$explicit" != 1 ]; then
    return 0
  fi
  staged+=("$env_file.incoming.$$")
  (
    umask 077
    if [ -f "$env_file" ]; then
      grep -vE "$pattern" "$env_file" || true
    fi >"$env_file.incoming.$$"
    if [ -s "$env_file.incoming.$$" ] && [ -n "$(tail -c1 "$env_file.incoming.$$")" ]; then
      echo >>"$env_file.incoming.$$"
    fi
    printf 'CERVER_UPDATE_REPO=%s\n' "$repo" >>"$env_file.incoming.$$"
  )
  chmod 600 "$env_file.incoming.$$"
  mv -f "$env_file.incoming.$$" "$env_file"
}

# Without a cerver-relay that has 'uninstall' (removed by hand, or too old), the same removal in
# shell: only the entries the installer and the relay create, each under a checked CERVER_HOME.
uninstall_by_hand() {
  local cerver_home=$1 keep_data=$2 unit plist
  if command -v systemctl >/dev/null 2>&1; then
    unit="${XDG_CONFIG_HOME:-${HOME:-}/.config}/systemd/user/cerver-relay.service"
    if [ -f "$unit" ] && grep -qF "$cerver_home" "$unit"; then
      systemctl --user disable --now cerver-relay.service >/dev/null 2>&1 || true
      rm -f "$unit"
      systemctl --user daemon-reload >/dev/null 2>&1 || true
      say "removed $unit"
    fi
  fi
  plist="${HOME:-}/Library/LaunchAgents/ai.cerver.relay.plist"
  if [ -f "$plist" ] && grep -qF "$cerver_home" "$plist"; then
    launchctl bootout "gui/$(id -u)/ai.cerver.relay" >/dev/null 2>&1 || true
    rm -f "$plist"
    say "removed $plist"
  fi
  rm -f "${cerver_home:?}/bin/cerver-relay" "${cerver_home:?}"/bin/.cerver-relay.incoming.*
  rm -rf "${cerver_home:?}/versions"
  if [ -n "${DOTNET_BUNDLE_EXTRACT_BASE_DIR:-}" ]; then
    rm -rf "${DOTNET_BUNDLE_EXTRACT_BASE_DIR:?}/cerver-relay"
  elif [ -n "${HOME:-}" ]; then
    rm -rf "${HOME:?}/.net/cerver-relay"
    rmdir "$HOME/.net" 2>/dev/null || true
  fi
  rmdir "$cerver_home/bin" 2>/dev/null || true
  say "removed the cerver-relay binaries from $cerver_home"
  if [ "$keep_data" = 1 ]; then
    say "kept the data in $cerver_home (relay/, cerver.env)"
  else
    rm -rf "${cerver_home:?}/relay"
    rm -f "${cerver_home:?}/cerver.env"
    rmdir "$cerver_home" 2>/dev/null || say "left $cerver_home in place: it holds files that are not the relay's"
  fi
}

uninstall() {
  local keep_data=$1 yes=$2 args=()
  [ -n "${CERVER_HOME:-}" ] || [ -n "${HOME:-}" ] || die "neither CERVER_HOME nor HOME is set"
  local given=${CERVER_HOME:-$HOME/.cerver}
  local cerver_home=${given%/}
  # Never a relative, root or home folder: everything below is removed by name inside it.
  case "$cerver_home" in
    /?*) ;;
    *) die "CERVER_HOME is '$given', not a folder of its own under /; nothing was removed" ;;
  esac
  if [ -n "${HOME:-}" ]; then
    case "${HOME%/}/" in
      "$cerver_home"/*) die "CERVER_HOME is $cerver_home, which holds your home folder; nothing was removed" ;;
    esac
  fi
  # has_verb runs "$link".
  link="$cerver_home/bin/cerver-relay"
  [ "$keep_data" = 1 ] && args+=(--keep-data)
  [ "$yes" = 1 ] && args+=(--yes)
  if [ -x "$link" ] && has_verb uninstall; then
    if [ "$yes" = 1 ] || ! has_terminal; then
      "$link" uninstall ${args[@]+"${args[@]}"} </dev/null
    elif [ -t 0 ]; then
      "$link" uninstall ${args[@]+"${args[@]}"}
    else
      "$link" uninstall ${args[@]+"${args[@]}"} </dev/tty
    fi
    return
  fi
  if [ ! -e "$link" ] && [ ! -L "$link" ] && [ ! -d "$cerver_home/versions" ] && [ ! -d "$cerver_home/relay" ]; then
    say "cerver-relay is not installed in $cerver_home; nothing to remove"
    return
  fi
  if [ "$yes" != 1 ]; then
    if ! has_terminal; then
      # The same exit code as 'cerver-relay uninstall' without --yes: a usage error.
      printf 'install-cerver: %s\n' "this removes cerver-relay from $cerver_home; run again with --yes to confirm (there is no terminal to ask on). Nothing was removed." >&2
      exit 2
    fi
    local answer="" kept=""
    [ "$keep_data" = 1 ] && kept=", keeping its data"
    printf 'install-cerver: remove cerver-relay from %s%s? [y/N] ' "$cerver_home" "$kept"
    read -r answer </dev/tty || answer=""
    case "$answer" in
      y | Y | yes | YES) ;;
      *) die "nothing was removed" ;;
    esac
  fi
  uninstall_by_hand "$cerver_home" "$keep_data"
  say "remove $cerver_home/bin from PATH: delete the line that adds it in your shell's start-up file (~/.bashrc, ~/.zshrc) and open a new terminal"
}

# The whole script is one function, called on the last line: under `curl | bash` nothing runs
# until all of it has arrived.
main() {
  no_login=0
  no_service=0
  do_uninstall=0
  keep_data=0
  yes=0
  version=${CERVER_VERSION:-}
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-login) no_login=1 ;;
      --no-service) no_service=1 ;;
      --uninstall) do_uninstall=1 ;;
      --keep-data) keep_data=1 ;;
      --yes | -y) yes=1 ;;
      --version)
        [ $# -ge 2 ] || die "--version needs a value, like --version 1.2.3"
        version=$2
        shift
        ;;
      --version=*) version=${1#--version=} ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        printf 'install-cerver: unknown option %s\n' "$1" >&2
        exit 2
        ;;
    esac
    shift
  done
  version=${version#v}
  if [ "$do_uninstall" = 1 ]; then
    uninstall "$keep_data" "$yes"
    return
  fi
  [ "$keep_data$yes" = 00 ] || die "--keep-data and --yes go with --uninstall"

  rid=$(detect_rid)
  asset="cerver-relay-$rid.tar.gz"
  releases=${CERVER_RELEASES_URL:-https://github.com/${CERVER_UPDATE_REPO:-cerver-ai/cerver-relay}/releases}
  releases=${releases%/}
  if [ -n "$version" ]; then
    download_base="$releases/download/v$version"
  else
    download_base="$releases/latest/download"
  fi

  [ -n "${CERVER_HOME:-}" ] || [ -n "${HOME:-}" ] || die "neither CERVER_HOME nor HOME is set"
  cerver_home=${CERVER_HOME:-$HOME/.cerver}
  bin_dir="$cerver_home/bin"
  versions_dir="$cerver_home/versions"
  link="$bin_dir/cerver-relay"

  tmp=$(mktemp -d "${TMPDIR:-/tmp}/cerver-install.XXXXXX")
  staged=()
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  say "downloading $asset from $download_base"
  download "$download_base/SHA256SUMS" "$tmp/SHA256SUMS" ||
    die "could not download SHA256SUMS from $download_base; refusing to install an archive that cannot be verified (nothing was changed)"
  download "$download_base/$asset" "$tmp/$asset" ||
    die "could not download $asset from $download_base: this release has no build for $rid, or it does not exist (nothing was changed)"

  # sha256sum lines are "<hash>  <name>", or "<hash> *<name>" when written in binary mode.
  expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print tolower($1); exit }' "$tmp/SHA256SUMS")
  [ -n "$expected" ] || die "SHA256SUMS has no line for $asset; refusing to install it (nothing was changed)"
  actual=$(sha256_of "$tmp/$asset")
  [ "$actual" = "$expected" ] ||
    die "checksum mismatch for $asset: expected $expected, got $actual; the download is corrupt or was tampered with (nothing was changed)"

  mkdir "$tmp/unpack"
  tar -xzf "$tmp/$asset" -C "$tmp/unpack" || die "$asset is not a readable archive (nothing was changed)"
  [ -f "$tmp/unpack/cerver-relay" ] || die "$asset has no cerver-relay executable at its root (nothing was changed)"
  chmod +x "$tmp/unpack/cerver-relay"
  installed=$("$tmp/unpack/cerver-relay" version </dev/null) ||
    die "the downloaded cerver-relay does not run on this machine ('cerver-relay version' failed; nothing was changed)"
  [[ "$installed" =~ ^[0-9A-Za-z][0-9A-Za-z.+-]*$ ]] || die "the downloaded cerver-relay reports an unusable version '$installed'"
  if [ -n "$version" ] && [ "$installed" != "$version" ]; then
    die "asked for version $version but the downloaded binary is $installed (nothing was changed)"
  fi

  # Everything checks out: from here on CERVER_HOME changes. The home folder holds secrets.
  [ -d "$cerver_home" ] || (umask 077 && mkdir -p "$cerver_home")
  mkdir -p "$bin_dir" "$versions_dir/$installed"

  previous=""
  if [ -L "$link" ]; then
    previous=$(basename "$(dirname "$(readlink "$link")")")
  fi

  # Each file lands under a temporary name and is renamed into place, so a running daemon keeps
  # its old file and a re-install of the same version never leaves a half-written binary.
  for file in "$tmp/unpack"/*; do
    name=$(basename "$file")
    target="$versions_dir/$installed/$name"
    staged+=("$target.incoming.$$")
    cp -p "$file" "$target.incoming.$$"
    mv -f "$target.incoming.$$" "$target"
  done

  staged+=("$bin_dir/.cerver-relay.incoming.$$")
  ln -s "../versions/$installed/cerver-relay" "$bin_dir/.cerver-relay.incoming.$$"
  # GNU mv -T renames onto the old link itself; BSD mv (macOS) does the same for a link to a file.
  mv -fT "$bin_dir/.cerver-relay.incoming.$$" "$link" 2>/dev/null ||
    mv -f "$bin_dir/.cerver-relay.incoming.$$" "$link"

  # Keep this version and the one it replaced (the rollback target); a re-install keeps both as they are.
  if [ -n "$previous" ] && [ "$previous" != "$installed" ]; then
    for dir in "$versions_dir"/*/; do
      name=$(basename "$dir")
      if [ "$name" != "$installed" ] && [ "$name" != "$previous" ]; then
        rm -rf "${versions_dir:?}/$name"
      fi
    done
  fi

  if [ -n "$previous" ] && [ "$previous" != "$installed" ]; then
    say "upgraded cerver-relay $previous -> $installed in $cerver_home"
  else
    say "installed cerver-relay $installed in $cerver_home"
  fi
  remember_update_repo "$cerver_home/cerver.env" "${CERVER_UPDATE_REPO:-cerver-ai/cerver-relay}" "$([ -n "${CERVER_UPDATE_REPO:-}" ] && echo 1 || echo 0)"

  case ":${PATH:-}:" in
    *":$bin_dir:"*) ;;
    *)
      case "${SHELL:-}" in
        */zsh) profile="${HOME:-}/.zshrc" ;;
        */fish) profile="" ;;
        *) profile="${HOME:-}/.bashrc" ;;
      esac
      if [ -n "$profile" ]; then
        say "$bin_dir is not on your PATH; add this line to $profile and open a new terminal:"
        printf '    export PATH="%s:$%s"\n' "$bin_dir" PATH
      else
        say "$bin_dir is not on your PATH; add it with:"
        printf '    fish_add_path %s\n' "$bin_dir"
      fi
      ;;
  esac

  if [ "$no_login" = 1 ]; then
    say "skipping login (--no-login); run 'cerver-relay login' to link this machine to your account"
  elif ! has_verb login; then
    say "skipping login: this cerver-relay has no 'login' command yet"
  elif ! has_terminal; then
    say "skipping login: no terminal; run 'cerver-relay login' to link this machine to your account"
  elif [ -t 0 ]; then
    "$link" login || say "login did not complete; run 'cerver-relay login' to try again"
  else
    "$link" login </dev/tty || say "login did not complete; run 'cerver-relay login' to try again"
  fi

  if [ "$no_service" = 1 ]; then
    say "skipping the service (--no-service); start the relay with 'cerver-relay run'"
  elif ! has_verb service install; then
    say "skipping the service: this cerver-relay has no 'service install' command yet; start the relay with 'cerver-relay run'"
  else
    # The binary is installed either way. 'service install' says what it did, or what is
    # missing here and the exact command that keeps the relay running without a service (a
    # container, a login without a user manager), and whether linger is needed: one voice.
    "$link" service install </dev/null ||
      say "cerver-relay $installed is installed; its service is not (why, and what to run instead, is above)"
  fi

  status=0
  "$link" status </dev/null || status=$?
  # 3 means the daemon is not running, which is expected without the service.
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    exit "$status"
  fi
}

main "$@"

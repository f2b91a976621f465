#!/usr/bin/env bash
# Install or upgrade cerver-relay for the current user:
#   curl -fsSL https://kompany.dev/install-cerver.sh | bash
#
# Downloads the release archive for this machine and SHA256SUMS, verifies the archive, unpacks
# it into $CERVER_HOME/versions/<version>/, points $CERVER_HOME/bin/cerver-relay at it
# atomically, keeps the previous version for rollback, then logs in, installs the user service
# and prints the relay's status. Nothing under $CERVER_HOME changes unless every check passes.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install-cerver.sh [--version V] [--no-login] [--no-service]

  --version V    install release V (default: the latest release; also CERVER_VERSION)
  --no-login     do not run 'cerver-relay login'
  --no-service   do not install and start the user service
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

# The whole script is one function, called on the last line: under `curl | bash` nothing runs
# until all of it has arrived.
main() {
  no_login=0
  no_service=0
  version=${CERVER_VERSION:-}
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-login) no_login=1 ;;
      --no-service) no_service=1 ;;
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
    # The binary is installed either way: a machine without a user service manager (a
    # container, WSL) can still run the relay in the foreground.
    if "$link" service install; then
      if [ "$rid" = "${rid#osx}" ] && command -v loginctl >/dev/null 2>&1 &&
        [ "$(loginctl show-user "$(id -un)" -p Linger --value 2>/dev/null || true)" = no ]; then
        say "the relay runs while you are logged in; to keep it running after you log out (servers), run:"
        printf '    sudo loginctl enable-linger %s\n' "$(id -un)"
      fi
    else
      say "cerver-relay $installed is installed, but its service could not be started here (see above); start the relay with 'cerver-relay run', or fix the cause and run 'cerver-relay service install'"
    fi
  fi

  status=0
  "$link" status </dev/null || status=$?
  # 3 means the daemon is not running, which is expected without the service.
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    exit "$status"
  fi
}

main "$@"

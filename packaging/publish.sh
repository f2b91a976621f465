#!/usr/bin/env bash
# Build one release archive of cerver-relay: a self-contained, single-file, trimmed publish for
# one runtime, packed as DIR/cerver-relay-<rid>.tar.gz, with DIR/SHA256SUMS brought up to date
# and, given a key, signed into DIR/SHA256SUMS.sig (what the installer and the updater check).
set -euo pipefail

readonly RIDS="linux-x64 linux-arm64 osx-x64 osx-arm64"

usage() {
  cat <<EOF
Usage: packaging/publish.sh --version V --rid RID --out DIR [--signing-key KEY.pem] [--repo OWNER/NAME]

  --version V          version stamped into the binary (semantic version, no leading "v")
  --rid RID            one of: $RIDS
  --out DIR            where cerver-relay-<rid>.tar.gz and SHA256SUMS go (created if missing);
                       publishing several runtimes into one DIR accumulates SHA256SUMS lines
  --signing-key KEY    ECDSA P-256 private key (PEM): signs SHA256SUMS into SHA256SUMS.sig and
                       builds the key's public half into the binary as the update key
  --repo OWNER/NAME    GitHub repository the binary looks for updates in, built into it
                       (CERVER_UPDATE_REPO still overrides it); without it, updates stay off
                       until CERVER_UPDATE_REPO is set
EOF
}

die() {
  echo "publish: $*" >&2
  exit 2
}

version=""
rid=""
out=""
key=""
repo=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version | --rid | --out | --signing-key | --repo)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --version) version=$2 ;;
        --rid) rid=$2 ;;
        --out) out=$2 ;;
        --signing-key) key=$2 ;;
        --repo) repo=$2 ;;
      esac
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument '$1'"
      ;;
  esac
done

[ -n "$version" ] || die "--version is required"
[ -n "$rid" ] || die "--rid is required"
[ -n "$out" ] || die "--out is required"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
  die "version '$version' is not a semantic version like 1.2.3 or 1.2.3-rc.1 (no leading v)"
case " $RIDS " in
  *" $rid "*) ;;
  *) die "runtime '$rid' is not supported; releases are built for: $RIDS" ;;
esac

publish_key_args=()
if [ -n "$repo" ]; then
  [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "repository '$repo' is not owner/name"
  publish_key_args+=("-p:CerverUpdateRepo=$repo")
fi
if [ -n "$key" ]; then
  [ -r "$key" ] || die "signing key '$key' cannot be read"
  openssl ec -in "$key" -noout -text 2>/dev/null | grep -q 'prime256v1' ||
    die "signing key '$key' is not an ECDSA P-256 private key in PEM form"
  public_key=$(openssl ec -in "$key" -pubout -outform DER 2>/dev/null | openssl base64 -A)
  publish_key_args+=("-p:CerverUpdatePublicKey=$public_key")
fi

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Single file with the native SQLite library inside it (extracted under ~/.net on first start),
# so an archive is one executable and an install or update is one file to place. Not
# ReadyToRun: trimming drops the framework's precompiled code, and putting it back measured
# 2-3x faster CLI start-up but doubled the binary (24 -> 47 MB) and raised the idle daemon's
# RSS from about 58 to 66 MB, past the 60 MB target; the daemon's memory matters more.
echo "publish: cerver-relay $version for $rid"
dotnet publish "$root/src/Relay/Relay.csproj" -nologo -v quiet \
  -c Release -r "$rid" --self-contained \
  -p:PublishSingleFile=true \
  -p:PublishTrimmed=true \
  -p:IncludeNativeLibrariesForSelfExtract=true \
  -p:DebugType=none \
  -p:Version="$version" \
  ${publish_key_args[@]+"${publish_key_args[@]}"} \
  -o "$work/publish" 2>&1 | tee "$work/publish.log"
# Octokit is kept whole and untrimmed (see src/Relay/Relay.csproj); any other trim warning is a failure.
if grep -E "warning IL[0-9]+" "$work/publish.log" | grep -v "Assembly 'Octokit' produced trim warnings" | grep -q .; then
  die "the trimmed publish has trim warnings beyond Octokit's (above); fix them before releasing"
fi
binary="$work/publish/cerver-relay"
[ -x "$binary" ] || die "dotnet publish did not produce $binary"

# A binary this machine can run must answer with the version it was stamped with.
if [ "$(dotnet --info | awk '$1 == "RID:" { print $2; exit }')" = "$rid" ]; then
  stamped=$("$binary" version)
  [ "$stamped" = "$version" ] || die "the published binary says version '$stamped', expected '$version'"
fi

archive="cerver-relay-$rid.tar.gz"
tar -C "$work/publish" -czf "$work/$archive" cerver-relay
mv -f "$work/$archive" "$out/$archive"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$@"
  else
    shasum -a 256 "$@"
  fi
}

# Rewritten from every archive in DIR, so a runtime published again replaces its own line.
(cd "$out" && sha256 cerver-relay-*.tar.gz >"$work/SHA256SUMS") && mv -f "$work/SHA256SUMS" "$out/SHA256SUMS"

if [ -n "$key" ]; then
  openssl dgst -sha256 -sign "$key" -out "$out/SHA256SUMS.sig" "$out/SHA256SUMS"
elif [ -e "$out/SHA256SUMS.sig" ]; then
  rm -f "$out/SHA256SUMS.sig"
  echo "publish: removed $out/SHA256SUMS.sig, which no longer matched SHA256SUMS (no --signing-key)"
fi

size=$(wc -c <"$binary" | tr -d ' ')
echo "publish: $out/$archive (binary $size bytes)"

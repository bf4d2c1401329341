#!/usr/bin/env bash
# Installs Sluice's Kafka Connect plugin archive into a worker's plugin path.
#
#   install-plugin.sh [--version VERSION] [ZIP] [PLUGIN_DIR]
#
# ZIP         the plugin archive; default connect-plugin/target/sluice-connect-plugin-<VERSION>.zip in the
#             repository this script belongs to
# PLUGIN_DIR  the worker's plugin.path; default /opt/connect/plugins
# --version   the version in the default archive name; default the version of the repository's root pom.xml
#
# The archive holds one folder, sluice-connect-plugin-<version>/ (manifest.json, lib/, doc/). It is unpacked
# next to PLUGIN_DIR's other plugins; an older copy of Sluice's plugin there is removed first. Debezium's
# connector plugins are installed separately (see deploy/README.md). Restart the worker afterwards: Connect
# scans plugin.path only at start.
set -euo pipefail

readonly default_plugin_dir=/opt/connect/plugins
readonly name=sluice-connect-plugin

fail() {
    printf 'install-plugin.sh: %s\n' "$1" >&2
    exit 1
}

usage() {
    sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)

version=""
positional=()
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --version)
            (($# >= 2)) || fail "--version needs a value, for example --version 0.1.0"
            version=$2
            shift 2
            ;;
        --version=*)
            version=${1#--version=}
            shift
            ;;
        -*)
            fail "unknown option $1 (try --help)"
            ;;
        *)
            positional+=("$1")
            shift
            ;;
    esac
done
((${#positional[@]} <= 2)) || fail "too many arguments: expected [ZIP] [PLUGIN_DIR] (try --help)"

zip=${positional[0]:-}
plugin_dir=${positional[1]:-$default_plugin_dir}

if [[ -z "$zip" ]]; then
    if [[ -z "$version" ]]; then
        pom="$repo_root/pom.xml"
        [[ -f "$pom" ]] || fail "no archive given and no $pom to read the version from: pass ZIP or --version"
        # The root pom has no <parent>: its first <version> is the project's.
        version=$(grep -m1 -o '<version>[^<]*</version>' "$pom" | sed 's/<[^>]*>//g') \
            || fail "cannot read the project version from $pom: pass --version"
    fi
    zip="$repo_root/connect-plugin/target/$name-$version.zip"
fi

if [[ ! -f "$zip" ]]; then
    fail "plugin archive not found: $zip
build it first, in $repo_root: mvn -pl connect-plugin -am package -DskipTests"
fi
command -v unzip >/dev/null || fail "unzip is needed (Debian: apt-get install unzip; Alpine: apk add unzip)"

mkdir -p "$plugin_dir"
# Unpack beside the plugins (same file system), so that the final move is a rename.
staging=$(mktemp -d "$plugin_dir/.$name.XXXXXX")
trap 'rm -rf "$staging"' EXIT
unzip -q "$zip" -d "$staging"

shopt -s nullglob
tops=("$staging"/*)
if ((${#tops[@]} != 1)) || [[ ! -d "${tops[0]}" ]] || [[ "$(basename "${tops[0]}")" != "$name"-* ]]; then
    fail "$zip does not hold a single folder $name-<version>/: not a Sluice plugin archive"
fi
top=$(basename "${tops[0]}")
jars=("$staging/$top"/lib/*.jar)
[[ -f "$staging/$top/manifest.json" ]] || fail "$zip has no $top/manifest.json"
((${#jars[@]} > 0)) || fail "$zip has no jars in $top/lib/"

for old in "$plugin_dir/$name"-*/; do
    rm -rf "$old"
    printf 'removed %s\n' "${old%/}"
done
mv "$staging/$top" "$plugin_dir/$top"
printf 'installed %s into %s (%d jars); restart the Connect worker to load it\n' \
    "$(basename "$zip")" "$plugin_dir/$top" "${#jars[@]}"

#!/usr/bin/env bash
# Check the Debian package with lintian and its AppStream metadata with
# appstreamcli. Fails on any lintian error or warning (the overridden tags
# are explained in packaging/linux/lintian-overrides), and on any AppStream
# problem but the one explained in packaging/README.md (the component id is
# `je08`, like the desktop file and the window's Wayland app id, not a
# reverse-DNS name).
#
#   packaging/linux/lint-deb.sh FILE.deb
#
# Debian packages: lintian appstream.
set -euo pipefail
cd "$(dirname "$0")/../.."
deb=${1:?usage: lint-deb.sh FILE.deb}
for tool in lintian appstreamcli; do
  command -v "$tool" >/dev/null || { echo "lint-deb: $tool missing (apt-get install lintian appstream)" >&2; exit 1; }
done

echo "== lintian $(lintian --version | awk '{print $2}') $deb"
# Errors fail; warnings and info tags are shown with their explanation.
lintian --info --display-info --fail-on error,warning "$deb"

echo "== appstreamcli validate packaging/linux/je08.metainfo.xml"
report=$(appstreamcli validate --no-net --no-color packaging/linux/je08.metainfo.xml 2>&1 || true)
echo "$report"
problems=$(grep -E '^[EW]: ' <<<"$report" | grep -v 'cid-desktopapp-is-not-rdns' || true)
[ -z "$problems" ] || { echo "lint-deb: AppStream problems above" >&2; exit 1; }
echo "== OK"

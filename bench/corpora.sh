#!/usr/bin/env bash
# Writes the public texts the quality benchmark and the scaling study train on into DIR
# (default target/bench-corpora), installing the Debian packages they come from when missing.
#   constitution.txt  the Debian Constitution (doc-debian), about 37 KB
#   faq.txt           the UW COVID-19 FAQ from ../shared/corpora, about 85 KB
#   debian-faq.txt    the Debian GNU/Linux FAQ (debian-faq), about 180 KB
#   fortunes.txt      the fortune cookie files of the fortunes package, about 4 MB
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-corpora}
mkdir -p "$out"

need=()
[ -f /usr/share/doc/debian/constitution.txt.gz ] || need+=(doc-debian)
[ -f /usr/share/doc/debian/FAQ/debian-faq.en.txt.gz ] || need+=(debian-faq)
[ -f /usr/share/games/fortunes/wisdom ] || need+=(fortunes)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi

zcat /usr/share/doc/debian/constitution.txt.gz > "$out/constitution.txt"
cp ../shared/corpora/covid19-faq.txt "$out/faq.txt"
zcat /usr/share/doc/debian/FAQ/debian-faq.en.txt.gz > "$out/debian-faq.txt"
# The text files only: not the .dat indexes, nor the links to them
find /usr/share/games/fortunes -maxdepth 1 -type f ! -name '*.dat' ! -name '*.u8' | sort | xargs cat > "$out/fortunes.txt"
wc -c "$out"/*.txt

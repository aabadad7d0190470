#!/bin/sh
# closure.sh [--lower DIR] OUT FILE...
# Copies each FILE into OUT at the same path, and for an executable FILE every shared library the dynamic loader
# resolves for it (ldd), so that OUT needs nothing else to run them; files already present under DIR (the image
# layer below) are left out. Runs inside the Debian builder image, where the libraries are installed.
# - Paths are canonical: this Debian is merged-/usr, ldd reports /lib/x86_64-linux-gnu/..., the file lives in
#   /usr/lib/x86_64-linux-gnu/; OUT gets the /lib, /lib64, /bin, /sbin -> usr/... links (unless DIR has them),
#   so the ELF interpreter path /lib64/ld-linux-x86-64.so.2 resolves.
# - Files are copied dereferenced under the name ldd reports (the soname): that is the name the loader opens.
# - No ld.so.cache is needed: Debian's loader searches the multiarch directories by default (LD_DEBUG=libs
#   shows them as the system search path), and every library ffmpeg and node need lives there (two pulseaudio
#   libraries are found through their users' RUNPATH).
set -eu

lower=/nonexistent
if [ "$1" = --lower ]; then lower=$2; shift 2; fi
out=$1; shift

canonical() { printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd -P)" "$(basename "$1")"; }

copy() {
  dest=$(canonical "$1")
  [ -e "$lower$dest" ] || [ -e "$out$dest" ] && return 0
  mkdir -p "$out$(dirname "$dest")"
  cp -L --preserve=mode "$1" "$out$dest"
}

mkdir -p "$out/usr"
for d in bin lib lib64 sbin; do
  [ -e "$lower/$d" ] || [ -L "$out/$d" ] || ln -s "usr/$d" "$out/$d"
done

for file in "$@"; do
  copy "$file"
  [ -x "$file" ] || continue
  if ldd "$file" | grep -q 'not found'; then
    echo "closure.sh: $file needs a library that is not installed:" >&2
    ldd "$file" | grep 'not found' >&2
    exit 1
  fi
  # "libx.so.1 => /lib/.../libx.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file.
  for lib in $(ldd "$file" | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
    copy "$lib"
  done
done

#!/usr/bin/env bash
# Print the path of a working Python X.Y interpreter on this machine, or exit 1 when there is none.
#
#     bash scripts/find_python.sh 3.12
#
# Looks for pythonX.Y on PATH first, then in the usual install places that are not always on PATH: pyenv
# (PYENV_ROOT, default ~/.pyenv; its shims only answer for the versions selected with `pyenv global/local`),
# Homebrew, /usr/local/bin and /usr/bin. A candidate counts only if it runs and reports version X.Y.
set -u
want=${1:?usage: find_python.sh X.Y}
candidates=("python$want")
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
# Newest patch release first (sort -V), e.g. ~/.pyenv/versions/3.12.1/bin/python3.12.
while IFS= read -r dir; do
    candidates+=("$dir/bin/python$want")
done < <(ls -d "$pyenv_root/versions/$want".* 2>/dev/null | sort -rV)
candidates+=("/opt/homebrew/bin/python$want" "/usr/local/bin/python$want" "/usr/bin/python$want")
for candidate in "${candidates[@]}"; do
    found=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
    if [ "$found" = "$want" ]; then
        command -v "$candidate"
        exit 0
    fi
done
exit 1

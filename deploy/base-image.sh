#!/usr/bin/env bash
# deploy/base-image.sh NAME: a Debian 12 + Python 3.11 base image built locally with mmdebstrap,
# for machines that reach Debian's mirrors but no container registry. Kept once built: a no-op
# when NAME exists. Debian 12 because its python3.11 is what requires-python asks for (trixie's
# python3 is 3.13). Documentation, man pages and translations are left out (~50 MB).
set -euo pipefail
name=${1:?usage: deploy/base-image.sh NAME}

if podman image exists "$name"; then
	exit 0
fi
command -v mmdebstrap >/dev/null || {
	echo "deploy/base-image.sh needs mmdebstrap: apt-get install mmdebstrap" >&2
	exit 1
}
echo "building the base image $name with mmdebstrap (about a minute, once)"
# pipefail matters: a failed mmdebstrap would otherwise import an empty image.
mmdebstrap --quiet --variant=minbase --include=python3.11,python3.11-venv \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/locale.alias' \
	bookworm - | podman import --quiet - "$name" >/dev/null
podman run --rm "$name" python3.11 -c 'import ensurepip, venv' || {
	podman rmi "$name" >/dev/null
	echo "the base image $name has no working python3.11; removed" >&2
	exit 1
}

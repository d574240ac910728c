# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run).
PG_BIN=/usr/lib/postgresql/15/bin
PG_CONFIG=$PG_BIN/pg_config
TEST_USER=${MINT_TEST_USER:-postgres}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$(basename "$0"): run as root: it installs packages and the extension, and runs" >&2
		echo "PostgreSQL clusters as the unprivileged user '$TEST_USER'." >&2
		exit 1
	fi
}

build_and_install() {
	"$ROOT/scripts/deps.sh"
	make -C "$ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
	make -C "$ROOT" -s install PG_CONFIG="$PG_CONFIG"
}

# A copy of the tree the unprivileged user owns (initdb refuses root, and
# the tests write results next to their sources).
make_user_copy() {
	local dir
	dir=$(mktemp -d /tmp/mint_ext.XXXXXX)
	tar -C "$ROOT" --exclude=.git --exclude=./src/solana/tests/build --exclude=./tmp_check --exclude=./results -cf - . | tar -C "$dir" -xf -
	chown -R "$TEST_USER": "$dir"
	echo "$dir"
}

as_user() {
	runuser -u "$TEST_USER" -- "$@"
}

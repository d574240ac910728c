# Shared by scripts/demo.sh, scripts/test.sh and bench/ (sourced, not run).
# MINT_PG_BIN: another (relocated) PostgreSQL 15 installation, e.g. to test
# two checkouts side by side without one install overwriting the other.
PG_BIN=${MINT_PG_BIN:-/usr/lib/postgresql/15/bin}
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

# build_and_install [run|demo|test]: install the missing Debian packages of
# that group (scripts/deps.sh; default test, i.e. everything), build, and
# install the extension; groups demo and test also build the fake Solana
# cluster (libmicrohttpd), which the Makefile's default target leaves out.
build_and_install() {
	local group=${1:-test}
	"$ROOT/scripts/deps.sh" "$group"
	make -C "$ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
	make -C "$ROOT" -s install PG_CONFIG="$PG_CONFIG"
	if [ "$group" != run ]; then
		make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" fake/solana-fake
	fi
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

# A throwaway cluster in DIR/data (not started): socket in DIR, no TCP,
# mint_ext preloaded on database postgres, the workers signing with the
# fixed test key (seed 32 x 0x01, AKnL4NNf...) written to DIR/payer.json
# (mode 0600).  Settings on standard input are appended to postgresql.conf.
init_test_cluster() {
	local dir=$1
	printf '[%s]' "$(printf '1,%.0s' $(seq 32))$(echo 8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c | sed 's/../0x& /g' | xargs printf '%d,' | sed 's/,$//')" >"$dir/payer.json"
	chown "$TEST_USER": "$dir/payer.json"
	chmod 600 "$dir/payer.json"
	as_user "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
	{
		cat <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
shared_preload_libraries = 'mint_ext'
mint.database = 'postgres'
mint.keypair_path = '$dir/payer.json'
CONF
		cat
	} >>"$dir/data/postgresql.conf"
}

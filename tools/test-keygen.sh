#!/bin/sh
# test-keygen.sh MINT_KEYGEN KEYGEN_CHECK -- tests of tools/mint-keygen (run by
# `make keygen-test`).  Works as root or as any other user; everything happens
# in a fresh temporary directory, removed at the end.  KEYGEN_CHECK
# (tools/keygen_check.c) reads a file through the extension's own loader
# (sol_keypair_load) and prints its base58 public key.  TAP-style output; exit
# status 0 only if every check passed.
set -u

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: $0 MINT_KEYGEN KEYGEN_CHECK (both executable)" >&2
	exit 2
fi
BIN=$1
CHECK=$2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mint-keygen-test.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM HUP
cd "$tmp" || exit 2

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION COMMAND...: passes if COMMAND succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}
# run ARGS...: runs mint-keygen; sets rc and out (its stdout); stderr goes to stderr.txt
run() {
	"$BIN" "$@" >stdout.txt 2>stderr.txt
	rc=$?
	out=$(cat stdout.txt)
}
mode_of() { stat -c %a "$1"; }
uid_of() { stat -c %u "$1"; }
gid_of() { stat -c %g "$1"; }
is_b58_pubkey() { printf '%s\n' "$1" | grep -Eqx '[1-9A-HJ-NP-Za-km-z]{32,44}'; }
# the Solana CLI format: [n,...] with 64 integers 0..255, no spaces, no newline
cli_format() {
	grep -Eqx '\[([0-9]{1,3},){63}[0-9]{1,3}\]' "$1" &&
		[ "$(tail -c 1 "$1")" = "]" ] &&
		tr -d '[]' <"$1" | tr ',' '\n' | awk '$1 > 255 || ($1 ~ /^0./) { bad = 1 } END { exit bad }'
}
no_leftovers() { [ -z "$(find . -name "$1.*" -print)" ]; }

echo "# mint-keygen: $BIN (uid $(id -u))"

# --- create ------------------------------------------------------------------
umask 022
run -o k1.json
check "create: exit 0" [ "$rc" -eq 0 ]
pub1=$out
check "create: prints a base58 public key" is_b58_pubkey "$pub1"
check "create: file is mode 0600 under umask 022" [ "$(mode_of k1.json)" = 600 ]
check "create: file is owned by the caller" [ "$(uid_of k1.json)" = "$(id -u)" ]
check "create: Solana CLI format (64 numbers 0..255)" cli_format k1.json
check "create: stderr says what was written" grep -q 'wrote k1.json (mode 0600)' stderr.txt
run --pubkey k1.json
check "--pubkey: exit 0" [ "$rc" -eq 0 ]
check "--pubkey: same public key" [ "$out" = "$pub1" ]
check "the extension's loader accepts the file, same public key" \
	[ "$("$CHECK" k1.json 2>/dev/null)" = "$pub1" ]

(umask 277 && "$BIN" -o k2.json >pub2.txt 2>/dev/null)
check "create: mode 0600 under umask 277 too" [ "$(mode_of k2.json)" = 600 ]
(umask 000 && "$BIN" -o k2b.json >/dev/null 2>&1)
check "create: mode 0600 under umask 000 too" [ "$(mode_of k2b.json)" = 600 ]
check "two runs give two different keys" [ "$(cat pub2.txt)" != "$pub1" ]
check "the loader accepts the second file" [ "$("$CHECK" k2.json 2>/dev/null)" = "$(cat pub2.txt)" ]

# --- refusal to overwrite ----------------------------------------------------
cp -p k1.json k1.bak
run -o k1.json
check "existing file: exit 3" [ "$rc" -eq 3 ]
check "existing file: message mentions --force" grep -q -- '--force' stderr.txt
check "existing file: nothing on stdout" [ -z "$out" ]
check "existing file: content unchanged" cmp -s k1.json k1.bak
printf 'not a key' >other.txt
ln -s other.txt link.json
run -o link.json
check "symlink: refused (exit 3), target untouched" \
	sh -c '[ "$1" -eq 3 ] && [ "$(cat other.txt)" = "not a key" ]' _ "$rc"

# --- --force -----------------------------------------------------------------
printf 'old contents' >k3.json
chmod 644 k3.json
run -o k3.json --force
check "--force: exit 0" [ "$rc" -eq 0 ]
check "--force: replaced file is mode 0600 (the old one was 0644)" [ "$(mode_of k3.json)" = 600 ]
check "--force: new content in CLI format" cli_format k3.json
check "--force: new key (not the first one)" [ "$out" != "$pub1" ]
check "--force: loader accepts it" [ "$("$CHECK" k3.json 2>/dev/null)" = "$out" ]
check "--force: no temporary file left" no_leftovers k3.json
run -f -o k4.json
check "--force on a new file: exit 0, mode 0600" \
	sh -c '[ "$1" -eq 0 ] && [ "$(stat -c %a k4.json)" = 600 ]' _ "$rc"
run -o link.json --force
check "--force on a symlink replaces the link, not its target" \
	sh -c '[ "$1" -eq 0 ] && [ ! -L link.json ] && [ "$(cat other.txt)" = "not a key" ]' _ "$rc"
mkdir adir
run -o adir --force
check "--force on a directory: exit 1" [ "$rc" -eq 1 ]
check "--force on a directory: no temporary file left" no_leftovers adir

# --- --pubkey refusals -------------------------------------------------------
cp k1.json loose.json
chmod 644 loose.json
run --pubkey loose.json
check "--pubkey: mode 0644 refused (exit 4), says chmod 600" \
	sh -c '[ "$1" -eq 4 ] && grep -q "chmod 600" stderr.txt' _ "$rc"
# change the last number (public half no longer matches the seed)
awk -F, -v OFS=, '{ sub(/\]$/, "", $64); $64 = ($64 + 1) % 256 "]"; printf "%s", $0 }' k1.json >tampered.json
chmod 600 tampered.json
check "tampered file is still CLI format" cli_format tampered.json
run --pubkey tampered.json
check "--pubkey: public half not matching the seed refused (exit 4)" \
	sh -c '[ "$1" -eq 4 ] && grep -q "does not match" stderr.txt' _ "$rc"
check "the extension's loader refuses it too" sh -c '! "$1" tampered.json 2>/dev/null' _ "$CHECK"
printf '[1,2,3]' >short.json
chmod 600 short.json
run --pubkey short.json
check "--pubkey: malformed file refused (exit 4)" [ "$rc" -eq 4 ]
run --pubkey missing.json
check "--pubkey: missing file (exit 1)" [ "$rc" -eq 1 ]
run --pubkey adir
check "--pubkey: directory refused (exit 4)" [ "$rc" -eq 4 ]

# --- --owner -----------------------------------------------------------------
run -o k5.json --owner no-such-user-mint-keygen
check "--owner unknown user: exit 2, no file" sh -c '[ "$1" -eq 2 ] && [ ! -e k5.json ]' _ "$rc"
if [ "$(id -u)" -eq 0 ]; then
	if nobody_uid=$(id -u nobody 2>/dev/null); then
		run -o k6.json --owner nobody
		check "--owner nobody (as root): exit 0, owned by nobody, mode 0600" \
			sh -c '[ "$1" -eq 0 ] && [ "$(stat -c %u k6.json)" = "$2" ] && [ "$(stat -c %a k6.json)" = 600 ]' \
			_ "$rc" "$nobody_uid"
		check "--owner: the public key still reads back" \
			[ "$("$BIN" --pubkey k6.json 2>/dev/null)" = "$out" ]
		run -o k7.json --owner nobody:0
		check "--owner nobody:0: group 0" \
			sh -c '[ "$1" -eq 0 ] && [ "$(stat -c %g k7.json)" = 0 ]' _ "$rc"
		run -o k6.json --force --owner "$nobody_uid:$(id -g nobody)"
		check "--owner with numeric uid:gid and --force" \
			sh -c '[ "$1" -eq 0 ] && [ "$(stat -c %u k6.json)" = "$2" ]' _ "$rc" "$nobody_uid"
	else
		echo "# no user 'nobody': --owner as root not tested"
	fi
else
	run -o k6.json --owner "$(id -un)"
	check "--owner self (not root): exit 0, owned by the caller" \
		sh -c '[ "$1" -eq 0 ] && [ "$(stat -c %u k6.json)" = "$(id -u)" ]' _ "$rc"
	run -o k7.json --owner root
	check "--owner root (not root): exit 1, says it needs root, no file left" \
		sh -c '[ "$1" -eq 1 ] && grep -q "needs root" stderr.txt && [ ! -e k7.json ]' _ "$rc"
fi

# --- command line ------------------------------------------------------------
run --help
check "--help: exit 0, prints usage" sh -c '[ "$1" -eq 0 ] && grep -q "^Usage: " stdout.txt' _ "$rc"
run
check "no arguments: exit 2" [ "$rc" -eq 2 ]
run -o a.json --pubkey k1.json
check "-o with --pubkey: exit 2" [ "$rc" -eq 2 ]
run --pubkey k1.json --force
check "--pubkey with --force: exit 2" [ "$rc" -eq 2 ]
run -o b.json extra
check "extra argument: exit 2, no file" sh -c '[ "$1" -eq 2 ] && [ ! -e b.json ]' _ "$rc"
run --bogus
check "unknown option: exit 2" [ "$rc" -eq 2 ]
run -o
check "-o without a file: exit 2" [ "$rc" -eq 2 ]
run -o ""
check "empty file name: exit 2" [ "$rc" -eq 2 ]
run -o no/such/dir/k.json
check "missing directory: exit 1" [ "$rc" -eq 1 ]

echo "1..$n"
if [ "$fails" -ne 0 ]; then
	echo "# $fails of $n checks failed"
	exit 1
fi
echo "# all $n checks passed"
exit 0

/*
 * mint_keygen.c -- mint-keygen: create a Solana CLI keypair file (the format
 * `solana-keygen new` writes and `mint.keypair_path` reads: a JSON array of 64
 * numbers, the 32-byte ed25519 seed followed by the 32-byte public key)
 * without installing the Solana CLI, or print the public key of one.
 *
 *     mint-keygen -o FILE [--force] [--owner USER[:GROUP]]
 *     mint-keygen --pubkey FILE
 *
 * Keys come from libsodium (crypto_sign_keypair); base58 and the file check
 * are the extension's own (src/solana/sol_codec.c, sol_crypto.c), so a file
 * this tool writes is one the worker's sol_keypair_load() accepts: the tool
 * reads it back with that loader before it reports success.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include "sol_codec.h"
#include "sol_common.h"
#include "sol_crypto.h"

/* Exit statuses (also in --help). */
#define KG_OK     0
#define KG_FAIL   1 /* I/O or system error */
#define KG_USAGE  2 /* bad command line, unknown --owner */
#define KG_EXISTS 3 /* -o FILE exists and --force was not given */
#define KG_BADKEY 4 /* --pubkey FILE is not an acceptable keypair file */

/* "[" + 64 * "255," - "," + "]" + NUL */
#define KG_JSON_MAX (1 + 64 * 4 + 1 + 1)

static const char *progname = "mint-keygen";

static void
usage(FILE *f)
{
	fprintf(f,
	        "Usage: %s -o FILE [--force] [--owner USER[:GROUP]]\n"
	        "       %s --pubkey FILE\n"
	        "\n"
	        "Creates a Solana CLI keypair file (a JSON array of 64 numbers: the 32-byte\n"
	        "ed25519 seed, then the 32-byte public key), the format of `solana-keygen new`\n"
	        "and of the mint.keypair_path setting, and prints its base58 public key.\n"
	        "\n"
	        "  -o, --outfile FILE     create FILE with mode 0600; an existing FILE is refused\n"
	        "  -f, --force            replace an existing FILE (atomically, through a\n"
	        "                         temporary file in the same directory)\n"
	        "      --owner USER[:GROUP]\n"
	        "                         make FILE owned by USER (and USER's group, or GROUP),\n"
	        "                         e.g. --owner postgres so the workers can read it;\n"
	        "                         changing the owner needs root\n"
	        "  -p, --pubkey FILE      print the public key of an existing keypair file after\n"
	        "                         checking it as the extension does: a regular file, not\n"
	        "                         accessible by group or others, 64 numbers 0..255, public\n"
	        "                         half matching the seed\n"
	        "  -h, --help             show this help\n"
	        "\n"
	        "The public key goes to standard output, everything else to standard error.\n"
	        "Exit status: 0 ok, 1 I/O or system error, 2 usage error, 3 FILE exists\n"
	        "(no --force), 4 not a valid keypair file.\n",
	        progname, progname);
}

static void kg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
kg_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "USER", "USER:GROUP", numeric ids allowed. 0 ok, -1 unknown. */
static int
resolve_owner(const char *spec, uid_t *uid, gid_t *gid)
{
	char user[256];
	const char *colon = strchr(spec, ':');
	const char *group = colon ? colon + 1 : NULL;
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;
	char *end;

	if (ulen == 0 || ulen >= sizeof(user) || (group && *group == '\0'))
		return -1;
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	pw = getpwnam(user);
	if (pw)
	{
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	else
	{
		unsigned long v;

		errno = 0;
		v = strtoul(user, &end, 10);
		if (errno != 0 || *end != '\0' || user[0] < '0' || user[0] > '9' || v > 0x7fffffffUL)
			return -1;
		*uid = (uid_t)v;
		pw = getpwuid(*uid);
		if (pw == NULL && group == NULL)
			return -1; /* a bare number needs a group */
		if (pw)
			*gid = pw->pw_gid;
	}
	if (group)
	{
		struct group *gr = getgrnam(group);

		if (gr)
			*gid = gr->gr_gid;
		else
		{
			unsigned long v;

			errno = 0;
			v = strtoul(group, &end, 10);
			if (errno != 0 || *end != '\0' || group[0] < '0' || group[0] > '9' || v > 0x7fffffffUL)
				return -1;
			*gid = (gid_t)v;
		}
	}
	return 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t n = write(fd, buf, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path (best effort: the rename / creation survives a crash). */
static void
sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
	{
		(void)fsync(fd);
		close(fd);
	}
}

/* Mode 0600 whatever the umask, owner if asked, content, fsync.  0 ok, -1 (errno-style message). */
static int
fill_file(int fd, const char *shown, const char *json, size_t len, bool chown_it, uid_t uid,
          gid_t gid)
{
	if (fchmod(fd, 0600) != 0)
	{
		kg_error("cannot chmod %s: %s", shown, strerror(errno));
		return -1;
	}
	if (chown_it && fchown(fd, uid, gid) != 0)
	{
		kg_error("cannot change the owner of %s to %lu:%lu: %s%s", shown, (unsigned long)uid,
		         (unsigned long)gid, strerror(errno),
		         errno == EPERM ? " (changing the owner needs root)" : "");
		return -1;
	}
	if (write_all(fd, json, len) != 0)
	{
		kg_error("cannot write %s: %s", shown, strerror(errno));
		return -1;
	}
	if (fsync(fd) != 0)
	{
		kg_error("cannot fsync %s: %s", shown, strerror(errno));
		return -1;
	}
	return 0;
}

/* Create path with json; returns a KG_* status. */
static int
write_keyfile(const char *path, const char *json, size_t len, bool force, bool chown_it, uid_t uid,
              gid_t gid)
{
	char *tmp = NULL;
	const char *target;
	int fd;

	if (!force)
	{
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0)
		{
			if (errno == EEXIST)
			{
				kg_error("%s already exists; refusing to overwrite it (use --force to replace "
				         "it)",
				         path);
				return KG_EXISTS;
			}
			kg_error("cannot create %s: %s", path, strerror(errno));
			return KG_FAIL;
		}
		target = path;
	}
	else
	{
		struct stat st;

		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		{
			kg_error("%s is a directory", path);
			return KG_FAIL;
		}
		tmp = malloc(strlen(path) + sizeof(".XXXXXX"));
		if (tmp == NULL)
		{
			kg_error("out of memory");
			return KG_FAIL;
		}
		strcpy(tmp, path);
		strcat(tmp, ".XXXXXX");
		fd = mkstemp(tmp); /* O_EXCL, mode 0600 */
		if (fd < 0)
		{
			kg_error("cannot create a temporary file next to %s: %s", path, strerror(errno));
			free(tmp);
			return KG_FAIL;
		}
		target = tmp;
	}
	if (fill_file(fd, path, json, len, chown_it, uid, gid) != 0)
	{
		close(fd);
		unlink(target);
		free(tmp);
		return KG_FAIL;
	}
	if (close(fd) != 0)
	{
		kg_error("cannot close %s: %s", path, strerror(errno));
		unlink(target);
		free(tmp);
		return KG_FAIL;
	}
	if (tmp && rename(tmp, path) != 0)
	{
		kg_error("cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return KG_FAIL;
	}
	free(tmp);
	sync_parent(path);
	return KG_OK;
}

/* "[n,n,...]" exactly as the Solana CLI writes it (serde_json, no spaces, no newline). */
static size_t
format_keypair(const uint8_t secret64[64], char out[KG_JSON_MAX])
{
	size_t len = 0;
	int i;

	out[len++] = '[';
	for (i = 0; i < 64; i++)
		len +=
		    (size_t)snprintf(out + len, KG_JSON_MAX - len, i ? ",%u" : "%u", (unsigned)secret64[i]);
	out[len++] = ']';
	out[len] = '\0';
	return len;
}

static int
cmd_generate(const char *path, bool force, const char *owner)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t check[64];
	uint8_t rpk[32];
	char json[KG_JSON_MAX];
	char b58[SOL_PUBKEY_B58_MAX];
	SolError err;
	uid_t uid = 0;
	gid_t gid = 0;
	size_t len;
	int rc = KG_FAIL;

	memset(&err, 0, sizeof(err));
	if (owner && resolve_owner(owner, &uid, &gid) != 0)
	{
		kg_error("unknown owner \"%s\" (expected USER or USER:GROUP)", owner);
		return KG_USAGE;
	}
	(void)sodium_mlock(sk, sizeof(sk));
	(void)sodium_mlock(json, sizeof(json));
	(void)sodium_mlock(check, sizeof(check));
	/* libsodium's secret key is seed(32) || public key(32): the CLI layout */
	if (crypto_sign_keypair(pk, sk) != 0 || sol_keypair_from_seed(sk, check, rpk) != 0 ||
	    sodium_memcmp(rpk, pk, 32) != 0 || sodium_memcmp(sk + 32, pk, 32) != 0)
	{
		kg_error("key generation failed (libsodium)");
		goto done;
	}
	len = format_keypair(sk, json);
	rc = write_keyfile(path, json, len, force, owner != NULL, uid, gid);
	if (rc != KG_OK)
		goto done;
	/* read it back with the worker's loader */
	if (sol_keypair_load(path, check, &err) != 0 || sodium_memcmp(check, sk, 64) != 0)
	{
		kg_error("%s was written but does not read back: %s", path,
		         err.message[0] ? err.message : "content differs");
		rc = KG_FAIL;
		goto done;
	}
	sol_pubkey_to_b58(pk, b58);
	printf("%s\n", b58);
	if (fflush(stdout) != 0)
		rc = KG_FAIL;
	if (owner)
		fprintf(stderr, "%s: wrote %s (mode 0600, owner %lu:%lu)\n", progname, path,
		        (unsigned long)uid, (unsigned long)gid);
	else
		fprintf(stderr, "%s: wrote %s (mode 0600)\n", progname, path);
done:
	sodium_munlock(sk, sizeof(sk));
	sodium_munlock(json, sizeof(json));
	sodium_munlock(check, sizeof(check));
	return rc;
}

static int
cmd_pubkey(const char *path)
{
	uint8_t sk[64];
	char b58[SOL_PUBKEY_B58_MAX];
	SolError err;

	(void)sodium_mlock(sk, sizeof(sk));
	if (sol_keypair_load(path, sk, &err) != 0)
	{
		kg_error("%s: %s", path, err.message);
		sodium_munlock(sk, sizeof(sk));
		return err.code == SOL_ERR_IO ? KG_FAIL : KG_BADKEY;
	}
	sol_pubkey_to_b58(sk + 32, b58);
	sodium_munlock(sk, sizeof(sk)); /* also wipes */
	printf("%s\n", b58);
	return fflush(stdout) == 0 ? KG_OK : KG_FAIL;
}

int
main(int argc, char **argv)
{
	enum
	{
		OPT_OWNER = 1000
	};
	static const struct option longopts[] = {
	    {"outfile", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"owner", required_argument, NULL, OPT_OWNER},
	    {"pubkey", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *outfile = NULL;
	const char *pubkey = NULL;
	const char *owner = NULL;
	bool force = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:fp:h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'o':
				outfile = optarg;
				break;
			case 'f':
				force = true;
				break;
			case OPT_OWNER:
				owner = optarg;
				break;
			case 'p':
				pubkey = optarg;
				break;
			case 'h':
				usage(stdout);
				return KG_OK;
			case ':':
				if (optopt && optopt < 256)
					kg_error("option -%c needs an argument", optopt);
				else
					kg_error("option %s needs an argument", argv[optind - 1]);
				fprintf(stderr, "Try '%s --help'.\n", progname);
				return KG_USAGE;
			default:
				if (optopt)
					kg_error("unknown option -%c", optopt);
				else
					kg_error("unknown option %s", argv[optind - 1]);
				fprintf(stderr, "Try '%s --help'.\n", progname);
				return KG_USAGE;
		}
	}
	if (optind < argc)
	{
		kg_error("unexpected argument \"%s\"", argv[optind]);
		fprintf(stderr, "Try '%s --help'.\n", progname);
		return KG_USAGE;
	}
	if ((outfile == NULL) == (pubkey == NULL))
	{
		kg_error("%s",
		         outfile ? "-o and --pubkey cannot be combined" : "give -o FILE or --pubkey FILE");
		fprintf(stderr, "Try '%s --help'.\n", progname);
		return KG_USAGE;
	}
	if (pubkey && (force || owner))
	{
		kg_error("--force and --owner go with -o FILE");
		return KG_USAGE;
	}
	if ((outfile && *outfile == '\0') || (pubkey && *pubkey == '\0'))
	{
		kg_error("empty file name");
		return KG_USAGE;
	}
	if (sodium_init() < 0)
	{
		kg_error("cannot initialise libsodium");
		return KG_FAIL;
	}
	return outfile ? cmd_generate(outfile, force, owner) : cmd_pubkey(pubkey);
}

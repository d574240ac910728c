/*
 * test_errors.c -- program error tables (spot-checked against the IDL / Rust
 * sources they come from) and the transaction error describer.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "sol_crypto.h"
#include "sol_errors.h"

#define BGUM "BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY"
#define CMT  "cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK"
#define NOOP "noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV"
#define CB   "ComputeBudget111111111111111111111111111111"

/* The transaction the worker builds: two compute-budget instructions, then Bubblegum. */
static const SolProgramKind mint_ixs[3] = {SOL_PROG_COMPUTE_BUDGET, SOL_PROG_COMPUTE_BUDGET,
                                           SOL_PROG_BUBBLEGUM};

static bool
name_is(SolProgramKind k, long code, const char *want)
{
	const char *got = sol_program_error_name(k, code);

	if (want == NULL ? got == NULL : (got != NULL && strcmp(got, want) == 0))
		return true;
	printf("  kind %d code %ld: got %s, expected %s\n", (int)k, code, got ? got : "NULL",
	       want ? want : "NULL");
	return false;
}

static bool
msg_is(SolProgramKind k, long code, const char *want)
{
	const char *got = sol_program_error_message(k, code);

	if (got != NULL && strcmp(got, want) == 0)
		return true;
	printf("  kind %d code %ld: message %s\n", (int)k, code, got ? got : "NULL");
	return false;
}

static bool
desc_is(const char *err, const SolProgramKind *ixs, int n, const char *want)
{
	char out[SOL_TX_ERROR_DESC_MAX];

	sol_describe_tx_error(err, ixs, n, out, sizeof(out));
	if (strcmp(out, want) == 0)
		return true;
	printf("  %s\n  got      %s\n  expected %s\n", err, out, want);
	return false;
}

static bool
desc_logs_is(const char *err, const char *const *logs, size_t n_logs, const char *want)
{
	char out[SOL_TX_ERROR_DESC_MAX];

	sol_describe_tx_error_logs(err, mint_ixs, 3, logs, n_logs, out, sizeof(out));
	if (strcmp(out, want) == 0)
		return true;
	printf("  %s\n  got      %s\n  expected %s\n", err, out, want);
	return false;
}

/* mpl-bubblegum idls/bubblegum.json "errors" (and reference section 2.7) */
static void
test_bubblegum_table(void)
{
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6000, "AssetOwnerMismatch"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6001, "PublicKeyMismatch"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6003, "UnsupportedSchemaVersion"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6004, "CreatorShareTotalMustBe100"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6005, "DuplicateCreatorAddress"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6006, "CreatorDidNotVerify"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6011, "CreatorsTooLong"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6012, "MetadataNameTooLong"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6013, "MetadataSymbolTooLong"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6014, "MetadataUriTooLong"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6015, "MetadataBasisPointsTooHigh"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6016, "TreeAuthorityIncorrect"));
	CHECK(msg_is(SOL_PROG_BUBBLEGUM, 6016, "Tree creator or tree delegate must sign."));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6017, "InsufficientMintCapacity"));
	CHECK(msg_is(SOL_PROG_BUBBLEGUM, 6017, "Not enough unapproved mints left"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6020, "CollectionCannotBeVerifiedInThisInstruction"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6021, "CollectionNotFound"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6032, "UnknownExternalError"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6040, "InvalidTokenStandard"));
	CHECK(msg_is(SOL_PROG_BUBBLEGUM, 6040, "Only NonFungible standard is supported"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6042, "InvalidLogWrapper"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6049, "CollectionMustHaveBubblegumPlugin"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6056, "AssetIsNotFrozen"));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 6057, NULL));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 5999, NULL));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, -1, NULL));
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 0, NULL));
	CHECK(sol_program_error_message(SOL_PROG_BUBBLEGUM, 9999) == NULL);
	/* Bubblegum is an Anchor program: the framework's codes are named too */
	CHECK(name_is(SOL_PROG_BUBBLEGUM, 3012, "AccountNotInitialized"));
	/* no other program claims Bubblegum's codes */
	CHECK(name_is(SOL_PROG_ANCHOR, 6016, NULL));
	CHECK(name_is(SOL_PROG_UNKNOWN, 6016, NULL));
	CHECK(name_is(SOL_PROG_SYSTEM, 6016, NULL));
	CHECK(name_is((SolProgramKind)99, 6016, NULL));
}

/* SPL account-compression error.rs / spl_account_compression.json; MPL's copy */
static void
test_account_compression_table(void)
{
	static const SolProgramKind kinds[2] = {SOL_PROG_ACCOUNT_COMPRESSION,
	                                        SOL_PROG_MPL_ACCOUNT_COMPRESSION};
	int i;

	for (i = 0; i < 2; i++)
	{
		CHECK(name_is(kinds[i], 6000, "IncorrectLeafLength"));
		CHECK(name_is(kinds[i], 6001, "ConcurrentMerkleTreeError"));
		CHECK(msg_is(kinds[i], 6001, "Concurrent merkle tree error"));
		CHECK(name_is(kinds[i], 6002, "ZeroCopyError"));
		CHECK(name_is(kinds[i], 6003, "ConcurrentMerkleTreeConstantsError"));
		CHECK(name_is(kinds[i], 6004, "CanopyLengthMismatch"));
		CHECK(name_is(kinds[i], 6005, "IncorrectAuthority"));
		CHECK(msg_is(kinds[i], 6005, "Provided authority does not match expected tree authority"));
		CHECK(name_is(kinds[i], 6006, "IncorrectAccountOwner"));
		CHECK(name_is(kinds[i], 6007, "IncorrectAccountType"));
		CHECK(name_is(kinds[i], 6008, "LeafIndexOutOfBounds"));
		CHECK(name_is(kinds[i], 6009, "CanopyNotAllocated"));
		CHECK(name_is(kinds[i], 6010, "TreeAlreadyInitialized"));
		CHECK(name_is(kinds[i], 6011, "BatchNotInitialized"));
		CHECK(name_is(kinds[i], 6012, "CanopyRootMismatch"));
		CHECK(name_is(kinds[i], 6013, "CanopyRightmostLeafMismatch"));
		CHECK(name_is(kinds[i], 6014, NULL));
		CHECK(name_is(kinds[i], 2006, "ConstraintSeeds"));
	}
}

/* anchor-lang lang/src/error.rs ErrorCode */
static void
test_anchor_table(void)
{
	CHECK(name_is(SOL_PROG_ANCHOR, 100, "InstructionMissing"));
	CHECK(msg_is(SOL_PROG_ANCHOR, 100, "Instruction discriminator not provided"));
	CHECK(name_is(SOL_PROG_ANCHOR, 101, "InstructionFallbackNotFound"));
	CHECK(name_is(SOL_PROG_ANCHOR, 102, "InstructionDidNotDeserialize"));
	CHECK(name_is(SOL_PROG_ANCHOR, 103, "InstructionDidNotSerialize"));
	CHECK(name_is(SOL_PROG_ANCHOR, 104, NULL));
	CHECK(name_is(SOL_PROG_ANCHOR, 1000, "IdlInstructionStub"));
	CHECK(name_is(SOL_PROG_ANCHOR, 1500, "EventInstructionStub"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2000, "ConstraintMut"));
	CHECK(msg_is(SOL_PROG_ANCHOR, 2000, "A mut constraint was violated"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2001, "ConstraintHasOne"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2002, "ConstraintSigner"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2003, "ConstraintRaw"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2006, "ConstraintSeeds"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2012, "ConstraintAddress"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2019, "ConstraintSpace"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2039, "ConstraintMintTransferHookExtensionProgramId"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2040, NULL));
	CHECK(name_is(SOL_PROG_ANCHOR, 2500, "RequireViolated"));
	CHECK(name_is(SOL_PROG_ANCHOR, 2506, "RequireGteViolated"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3000, "AccountDiscriminatorAlreadySet"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3001, "AccountDiscriminatorNotFound"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3002, "AccountDiscriminatorMismatch"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3007, "AccountOwnedByWrongProgram"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3010, "AccountNotSigner"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3012, "AccountNotInitialized"));
	CHECK(msg_is(SOL_PROG_ANCHOR, 3012,
	             "The program expected this account to be already initialized"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3017, "AccountDuplicateReallocs"));
	CHECK(name_is(SOL_PROG_ANCHOR, 3018, NULL));
	CHECK(name_is(SOL_PROG_ANCHOR, 4000, "StateInvalidAddress"));
	CHECK(name_is(SOL_PROG_ANCHOR, 4100, "DeclaredProgramIdMismatch"));
	CHECK(name_is(SOL_PROG_ANCHOR, 4101, "TryingToInitPayerAsProgramAccount"));
	CHECK(name_is(SOL_PROG_ANCHOR, 4102, "InvalidNumericConversion"));
	CHECK(name_is(SOL_PROG_ANCHOR, 5000, "Deprecated"));
	CHECK(name_is(SOL_PROG_ANCHOR, 6000, NULL));
	CHECK(sol_anchor_error_code(3012));
	CHECK(!sol_anchor_error_code(6016));
	/* a non-Anchor program does not get Anchor names */
	CHECK(name_is(SOL_PROG_SYSTEM, 3012, NULL));
	CHECK(name_is(SOL_PROG_COMPUTE_BUDGET, 2000, NULL));
}

/* solana-sdk system-interface SystemError */
static void
test_system_table(void)
{
	CHECK(name_is(SOL_PROG_SYSTEM, 0, "AccountAlreadyInUse"));
	CHECK(name_is(SOL_PROG_SYSTEM, 1, "ResultWithNegativeLamports"));
	CHECK(msg_is(SOL_PROG_SYSTEM, 1, "account does not have enough SOL to perform the operation"));
	CHECK(name_is(SOL_PROG_SYSTEM, 5, "AddressWithSeedMismatch"));
	CHECK(name_is(SOL_PROG_SYSTEM, 8, "NonceUnexpectedBlockhashValue"));
	CHECK(name_is(SOL_PROG_SYSTEM, 9, NULL));
}

static void
test_program_kinds(void)
{
	uint8_t other[32];

	CHECK(sol_program_kind_from_id(sol_bubblegum_program_id) == SOL_PROG_BUBBLEGUM);
	CHECK(sol_program_kind_from_id(sol_account_compression_program_id) ==
	      SOL_PROG_ACCOUNT_COMPRESSION);
	CHECK(sol_program_kind_from_id(sol_noop_program_id) == SOL_PROG_SPL_NOOP);
	CHECK(sol_program_kind_from_id(sol_system_program_id) == SOL_PROG_SYSTEM);
	CHECK(sol_program_kind_from_id(sol_token_metadata_program_id) == SOL_PROG_TOKEN_METADATA);
	CHECK(sol_program_kind_from_id(sol_compute_budget_program_id) == SOL_PROG_COMPUTE_BUDGET);
	memset(other, 7, sizeof(other));
	CHECK(sol_program_kind_from_id(other) == SOL_PROG_UNKNOWN);
	CHECK(sol_program_kind_from_id(NULL) == SOL_PROG_UNKNOWN);
	CHECK(sol_program_kind_from_b58("mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW") ==
	      SOL_PROG_MPL_ACCOUNT_COMPRESSION);
	CHECK(sol_program_kind_from_b58(CMT) == SOL_PROG_ACCOUNT_COMPRESSION);
	CHECK(sol_program_kind_from_b58(CMT "x") == SOL_PROG_UNKNOWN);
	CHECK(sol_program_kind_from_b58("") == SOL_PROG_UNKNOWN);
	CHECK(sol_program_kind_from_b58(NULL) == SOL_PROG_UNKNOWN);
	{
		static const struct
		{
			const char *id;
			SolProgramKind kind;
		} ids[] = {
		    {BGUM, SOL_PROG_BUBBLEGUM},
		    {CMT, SOL_PROG_ACCOUNT_COMPRESSION},
		    {"mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW", SOL_PROG_MPL_ACCOUNT_COMPRESSION},
		    {"11111111111111111111111111111111", SOL_PROG_SYSTEM},
		    {CB, SOL_PROG_COMPUTE_BUDGET},
		    {NOOP, SOL_PROG_SPL_NOOP},
		    {"mnoopTCrg4p8ry25e4bcWA9XZjbNjMTfgYVGGEdRsf3", SOL_PROG_MPL_NOOP},
		    {"metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s", SOL_PROG_TOKEN_METADATA},
		    {"CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d", SOL_PROG_MPL_CORE},
		};
		size_t i;

		for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		{
			uint8_t raw[32];

			CHECKM(b58_to32(ids[i].id, raw), "%s", ids[i].id);
			CHECKM(sol_program_kind_from_b58(ids[i].id) == ids[i].kind, "%s", ids[i].id);
			CHECKM(sol_program_kind_from_id(raw) == ids[i].kind, "%s", ids[i].id);
		}
	}
	CHECK(strcmp(sol_program_kind_name(SOL_PROG_BUBBLEGUM), "Bubblegum") == 0);
	CHECK(strcmp(sol_program_kind_name(SOL_PROG_ACCOUNT_COMPRESSION), "SPL Account Compression") ==
	      0);
	CHECK(strcmp(sol_program_kind_name((SolProgramKind)-3), "unknown program") == 0);
	CHECK(strcmp(sol_program_kind_name(SOL_PROG_KIND_COUNT), "unknown program") == 0);
}

static void
test_builtin_variants(void)
{
	const char *m;

	m = sol_instruction_error_message("ProgramFailedToComplete");
	CHECK(m && strcmp(m, "Program failed to complete") == 0);
	m = sol_instruction_error_message("ComputationalBudgetExceeded");
	CHECK(m && strcmp(m, "Computational budget exceeded") == 0);
	m = sol_instruction_error_message("InsufficientFunds");
	CHECK(m && strcmp(m, "insufficient funds for instruction") == 0);
	CHECK(sol_instruction_error_message("Custom") == NULL);
	CHECK(sol_instruction_error_message("NoSuchVariant") == NULL);
	CHECK(sol_instruction_error_message(NULL) == NULL);
	m = sol_transaction_error_message("BlockhashNotFound");
	CHECK(m && strcmp(m, "Blockhash not found") == 0);
	m = sol_transaction_error_message("InsufficientFundsForFee");
	CHECK(m && strcmp(m, "Insufficient funds for fee") == 0);
	CHECK(sol_transaction_error_message("InstructionError") == NULL);
}

static void
test_describe_custom(void)
{
	CHECK(desc_is("{\"InstructionError\":[2,{\"Custom\":6016}]}", mint_ixs, 3,
	              "instruction 2: custom error 6016 TreeAuthorityIncorrect (Bubblegum: \"Tree "
	              "creator or tree delegate must sign.\")"));
	CHECK(desc_is("{\"InstructionError\":[2,{\"Custom\":6017}]}", mint_ixs, 3,
	              "instruction 2: custom error 6017 InsufficientMintCapacity (Bubblegum: \"Not "
	              "enough unapproved mints left\")"));
	/* msg == name: not repeated */
	CHECK(desc_is("{\"InstructionError\":[2,{\"Custom\":6001}]}", mint_ixs, 3,
	              "instruction 2: custom error 6001 PublicKeyMismatch (Bubblegum)"));
	/* Anchor framework error inside Bubblegum */
	CHECK(desc_is(" { \"InstructionError\" : [ 2 , { \"Custom\" : 3012 } ] } ", mint_ixs, 3,
	              "instruction 2: custom error 3012 AccountNotInitialized (Anchor, in Bubblegum: "
	              "\"The program expected this account to be already initialized\")"));
	CHECK(desc_is("{\"InstructionError\":[0,{\"Custom\":2000}]}",
	              (const SolProgramKind[]){SOL_PROG_ANCHOR}, 1,
	              "instruction 0: custom error 2000 ConstraintMut (Anchor: \"A mut constraint was "
	              "violated\")"));
	CHECK(desc_is(
	    "{\"InstructionError\":[0,{\"Custom\":1}]}", (const SolProgramKind[]){SOL_PROG_SYSTEM}, 1,
	    "instruction 0: custom error 1 ResultWithNegativeLamports (System: \"account does "
	    "not have enough SOL to perform the operation\")"));
	/* unknown codes */
	CHECK(desc_is("{\"InstructionError\":[2,{\"Custom\":7000}]}", mint_ixs, 3,
	              "instruction 2: custom error 7000 (0x1b58), unknown error (Bubblegum)"));
	CHECK(
	    desc_is("{\"InstructionError\":[2,{\"Custom\":4294967295}]}", mint_ixs, 3,
	            "instruction 2: custom error 4294967295 (0xffffffff), unknown error (Bubblegum)"));
	/* no program information: nothing is guessed */
	CHECK(desc_is("{\"InstructionError\":[2,{\"Custom\":6016}]}", NULL, 0,
	              "instruction 2: custom error 6016 (0x1780), program unknown"));
	CHECK(desc_is("{\"InstructionError\":[5,{\"Custom\":6016}]}", mint_ixs, 3,
	              "instruction 5: custom error 6016 (0x1780), program unknown"));
	CHECK(desc_is("{\"InstructionError\":[0,{\"Custom\":6016}]}",
	              (const SolProgramKind[]){(SolProgramKind)1234}, 1,
	              "instruction 0: custom error 6016 (0x1780), program unknown"));
}

static void
test_describe_builtin_and_tx(void)
{
	CHECK(desc_is("{\"InstructionError\":[0,\"ProgramFailedToComplete\"]}", NULL, 0,
	              "instruction 0: ProgramFailedToComplete (\"Program failed to complete\")"));
	CHECK(desc_is("{\"InstructionError\":[2,\"ComputationalBudgetExceeded\"]}", mint_ixs, 3,
	              "instruction 2: ComputationalBudgetExceeded (Bubblegum: \"Computational budget "
	              "exceeded\")"));
	CHECK(desc_is("{\"InstructionError\":[1,\"InvalidInstructionData\"]}", mint_ixs, 3,
	              "instruction 1: InvalidInstructionData (Compute Budget: \"invalid instruction "
	              "data\")"));
	CHECK(desc_is("{\"InstructionError\":[2,{\"BorshIoError\":\"Unknown\"}]}", mint_ixs, 3,
	              "instruction 2: BorshIoError (Bubblegum: \"Failed to serialize or deserialize "
	              "account data\")"));
	CHECK(desc_is("{\"InstructionError\":[2,\"SomeFutureVariant\"]}", mint_ixs, 3,
	              "instruction 2: SomeFutureVariant (Bubblegum)"));
	CHECK(desc_is("\"BlockhashNotFound\"", NULL, 0, "BlockhashNotFound (\"Blockhash not found\")"));
	CHECK(desc_is("\"InsufficientFundsForFee\"", mint_ixs, 3,
	              "InsufficientFundsForFee (\"Insufficient funds for fee\")"));
	CHECK(desc_is("{\"InsufficientFundsForRent\":{\"account_index\":0}}", NULL, 0,
	              "InsufficientFundsForRent account_index 0 (\"Transaction results in an account "
	              "with insufficient funds for rent\")"));
	CHECK(desc_is("{\"DuplicateInstruction\":3}", NULL, 0,
	              "DuplicateInstruction 3 (\"Transaction contains a duplicate instruction that is "
	              "not allowed\")"));
	CHECK(desc_is("\"BrandNewTransactionError\"", NULL, 0, "BrandNewTransactionError"));
	CHECK(desc_is("null", NULL, 0, "no error"));
	CHECK(desc_is(NULL, NULL, 0, "no error"));
}

static void
test_describe_malformed(void)
{
	static const char *bad[] = {
	    "",
	    "{",
	    "[1,2]",
	    "42",
	    "true",
	    "{}",
	    "{\"a\":1,\"b\":2}",
	    "\"has space\"",
	    "\"\"",
	    "{\"InstructionError\":[0]}",
	    "{\"InstructionError\":[0,\"X\",1]}",
	    "{\"InstructionError\":{\"0\":1}}",
	    "{\"InstructionError\":[-1,\"ProgramFailedToComplete\"]}",
	    "{\"InstructionError\":[256,\"ProgramFailedToComplete\"]}",
	    "{\"InstructionError\":[\"0\",\"ProgramFailedToComplete\"]}",
	    "{\"InstructionError\":[0,{\"Custom\":-5}]}",
	    "{\"InstructionError\":[0,{\"Custom\":4294967296}]}",
	    "{\"InstructionError\":[0,{\"Custom\":\"6016\"}]}",
	    "{\"InstructionError\":[0,{\"Custom\":6016.0}]}",
	    "{\"InstructionError\":[0,{\"Custom\":1,\"x\":2}]}",
	    "{\"InstructionError\":[0,null]}",
	    "{\"InstructionError\":[0,\"bad name!\"]}",
	    "{\"Instruction Error\":[0,\"X\"]}",
	    "{\"InstructionError\":[0,\"A\"],\"InstructionError\":[1,\"B\"]}",
	};
	char out[SOL_TX_ERROR_DESC_MAX];
	char *big;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		CHECKM(sol_describe_tx_error(bad[i], mint_ixs, 3, out, sizeof(out)) == -1, "%s", bad[i]);
		CHECKM(strncmp(out, "unparsable transaction error", 28) == 0 ||
		           strncmp(out, "unrecognized transaction error", 30) == 0,
		       "%s -> %s", bad[i], out);
	}
	CHECK(desc_is("{", NULL, 0, "unparsable transaction error: {"));
	CHECK(desc_is("[1,2]", NULL, 0, "unrecognized transaction error: [1,2]"));
	/* quotes and control characters of the input are never echoed */
	CHECK(desc_is("{\"a\":1,\"b\":2}", NULL, 0, "unrecognized transaction error: {?a?:1,?b?:2}"));
	CHECK(desc_is("\"\x01\x7f\\\"", NULL, 0, "unparsable transaction error: ?????"));
	/* a long input is echoed 64 bytes at most */
	big = malloc(SOL_TX_ERROR_JSON_MAX + 2);
	memset(big, 'x', SOL_TX_ERROR_JSON_MAX + 1);
	big[SOL_TX_ERROR_JSON_MAX + 1] = '\0';
	CHECK(sol_describe_tx_error(big, NULL, 0, out, sizeof(out)) == -1);
	CHECK(strcmp(out, "transaction error JSON too long (over 8192 bytes)") == 0);
	big[200] = '\0';
	CHECK(sol_describe_tx_error(big, NULL, 0, out, sizeof(out)) == -1);
	CHECK(strlen(out) == strlen("unparsable transaction error: ") + 64 + 3);
	CHECK(strcmp(out + strlen(out) - 3, "...") == 0);
	/* a well-formed but long unrecognized value: bounded too */
	memset(big, ' ', 200);
	big[0] = '[';
	big[198] = ']';
	big[199] = ' ';
	for (i = 1; i + 2 < 198; i += 2)
	{
		big[i] = '1';
		big[i + 1] = ',';
	}
	big[i] = '1';
	CHECK(sol_describe_tx_error(big, NULL, 0, out, sizeof(out)) == -1);
	CHECK(strlen(out) <= strlen("unrecognized transaction error: ") + 64 + 3);
	free(big);
}

static void
test_describe_truncation(void)
{
	const char *err = "{\"InstructionError\":[2,{\"Custom\":6016}]}";
	char out[64];
	size_t caps[] = {1, 2, 3, 4, 5, 16, 40};
	size_t i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
	{
		memset(out, 'Z', sizeof(out));
		CHECK(sol_describe_tx_error(err, mint_ixs, 3, out, caps[i]) == 0);
		CHECKM(strlen(out) == caps[i] - 1, "cap %zu: %s", caps[i], out);
		CHECK(out[caps[i]] == 'Z'); /* nothing written past cap */
		if (caps[i] >= 4)
			CHECK(strcmp(out + caps[i] - 4, "...") == 0);
	}
	memset(out, 'Z', sizeof(out));
	sol_describe_tx_error(err, mint_ixs, 3, out, 16);
	CHECK(strcmp(out, "instruction ...") == 0);
	CHECK(sol_describe_tx_error(err, mint_ixs, 3, NULL, 0) == 0);
	CHECK(sol_describe_tx_error("{", mint_ixs, 3, NULL, 0) == -1);
	CHECK(sol_describe_tx_error("{", mint_ixs, 3, out, 1) == -1 && out[0] == '\0');
	/* exactly fitting: no "..." */
	sol_describe_tx_error("null", NULL, 0, out, 9);
	CHECK(strcmp(out, "no error") == 0);
	sol_describe_tx_error("null", NULL, 0, out, 8);
	CHECK(strcmp(out, "no e...") == 0);
}

/* logs of a mint_v1 whose append failed inside Account Compression */
static const char *const cpi_logs[] = {
    "Program " CB " invoke [1]",
    "Program " CB " success",
    "Program " CB " invoke [1]",
    "Program " CB " success",
    "Program " BGUM " invoke [1]",
    "Program log: Instruction: MintV1",
    "Program " NOOP " invoke [2]",
    "Program " NOOP " consumed 97 of 180000 compute units",
    "Program " NOOP " success",
    "Program " CMT " invoke [2]",
    "Program log: Instruction: Append",
    "Program log: AnchorError occurred. Error Code: ConcurrentMerkleTreeError. Error Number: 6001. "
    "Error Message: Concurrent merkle tree error.",
    "Program " CMT " consumed 3000 of 170000 compute units",
    "Program " CMT " failed: custom program error: 0x1771",
    "Program " BGUM " consumed 20000 of 200000 compute units",
    "Program " BGUM " failed: custom program error: 0x1771",
};

static void
test_describe_logs(void)
{
	const char *err6001 = "{\"InstructionError\":[2,{\"Custom\":6001}]}";
	static const char *const own_logs[] = {
	    "Program " CB " invoke [1]",
	    "Program " CB " success",
	    "Program " CB " invoke [1]",
	    "Program " CB " success",
	    "Program " BGUM " invoke [1]",
	    "Program log: Instruction: MintV1",
	    "Program log: AnchorError thrown in programs/bubblegum/program/src/processor/mint.rs:75. "
	    "Error Code: TreeAuthorityIncorrect. Error Number: 6016. Error Message: Tree creator or "
	    "tree delegate must sign..",
	    "Program " BGUM " consumed 9000 of 200000 compute units",
	    "Program " BGUM " failed: custom program error: 0x1780",
	};
	static const char *const foreign_logs[] = {
	    "Program " BGUM " invoke [1]",
	    "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [2]",
	    "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA failed: custom program error: 0x1",
	    "Program " BGUM " failed: custom program error: 0x1",
	};
	static const char *const anchor_logs[] = {
	    "Program " BGUM " invoke [1]",
	    "Program Fg6PaFpoGXkYsidMpWTK6W2BeZ7FEfcYkg476zPFsLnS invoke [2]",
	    "Program log: AnchorError occurred. Error Code: MyError. Error Number: 6000. Error "
	    "Message: Something \"bad\"\x01 happened.",
	    "Program Fg6PaFpoGXkYsidMpWTK6W2BeZ7FEfcYkg476zPFsLnS failed: custom program error: 0x1770",
	    "Program " BGUM " failed: custom program error: 0x1770",
	};
	/* no invoke lines (truncated logs): the first matching failure still attributes it */
	static const char *const bare_logs[] = {
	    "Log truncated",
	    NULL,
	    "Program " CMT " failed: custom program error: 0x1775",
	    "Program " BGUM " failed: custom program error: 0x1775",
	};
	/* a failure with the same code in another instruction is not taken */
	static const char *const two_ix_logs[] = {
	    "Program " CMT " invoke [1]",
	    "Program " CMT " failed: custom program error: 0x1770",
	    "Program " BGUM " invoke [1]",
	    "Program " BGUM " failed: custom program error: 0x1770",
	};
	static const char *const hostile_logs[] = {
	    "Program " CMT " failed: custom program error: 0x1771 extra",
	    "Program " CMT "xy failed: custom program error: 0x1771",
	    "Program 0OIl failed: custom program error: 0x1771",
	    "Program " CMT " failed: custom program error: 0x",
	    "Program " CMT " failed: custom program error: 0x1771771771",
	    "Program " CMT " invoke [99999999999]",
	    "Program log: AnchorError Error Number: 6001.",
	    "",
	};
	SolTxErrorInfo info;
	json_t *err;
	json_t *jlogs;
	char out[SOL_TX_ERROR_DESC_MAX];
	size_t i;

	CHECK(desc_logs_is(err6001, cpi_logs, sizeof(cpi_logs) / sizeof(cpi_logs[0]),
	                   "instruction 2: custom error 6001 ConcurrentMerkleTreeError (SPL Account "
	                   "Compression via CPI from Bubblegum: \"Concurrent merkle tree error\")"));
	/* the same error without logs is (mis)named as Bubblegum's */
	CHECK(desc_is(err6001, mint_ixs, 3,
	              "instruction 2: custom error 6001 PublicKeyMismatch (Bubblegum)"));
	CHECK(desc_logs_is("{\"InstructionError\":[2,{\"Custom\":6016}]}", own_logs,
	                   sizeof(own_logs) / sizeof(own_logs[0]),
	                   "instruction 2: custom error 6016 TreeAuthorityIncorrect (Bubblegum: \"Tree "
	                   "creator or tree delegate must sign.\")"));
	{
		const SolProgramKind one[1] = {SOL_PROG_BUBBLEGUM};

		sol_describe_tx_error_logs("{\"InstructionError\":[0,{\"Custom\":1}]}", one, 1,
		                           foreign_logs, 4, out, sizeof(out));
		CHECKM(strcmp(out,
		              "instruction 0: custom error 1 (0x1), unknown error (program "
		              "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA via CPI from Bubblegum)") == 0,
		       "%s", out);
		sol_describe_tx_error_logs("{\"InstructionError\":[0,{\"Custom\":6000}]}", one, 1,
		                           anchor_logs, 5, out, sizeof(out));
		CHECKM(strcmp(out, "instruction 0: custom error 6000 MyError (program "
		                   "Fg6PaFpoGXkYsidMpWTK6W2BeZ7FEfcYkg476zPFsLnS via CPI from Bubblegum: "
		                   "\"Something ?bad?? happened\")") == 0,
		       "%s", out);
		sol_describe_tx_error_logs("{\"InstructionError\":[0,{\"Custom\":6005}]}", one, 1,
		                           bare_logs, 4, out, sizeof(out));
		CHECKM(strcmp(out, "instruction 0: custom error 6005 IncorrectAuthority (SPL Account "
		                   "Compression via CPI from Bubblegum: \"Provided authority does not "
		                   "match expected tree authority\")") == 0,
		       "%s", out);
	}
	{
		const SolProgramKind two[2] = {SOL_PROG_ACCOUNT_COMPRESSION, SOL_PROG_BUBBLEGUM};

		sol_describe_tx_error_logs("{\"InstructionError\":[1,{\"Custom\":6000}]}", two, 2,
		                           two_ix_logs, 4, out, sizeof(out));
		CHECKM(strcmp(out, "instruction 1: custom error 6000 AssetOwnerMismatch (Bubblegum: "
		                   "\"Asset Owner Does not match\")") == 0,
		       "%s", out);
		sol_describe_tx_error_logs("{\"InstructionError\":[0,{\"Custom\":6000}]}", two, 2,
		                           two_ix_logs, 4, out, sizeof(out));
		CHECKM(strcmp(out,
		              "instruction 0: custom error 6000 IncorrectLeafLength (SPL Account "
		              "Compression: \"Incorrect leaf length. Expected vec of 32 bytes\")") == 0,
		       "%s", out);
	}
	/* malformed log lines are ignored */
	CHECK(desc_logs_is(err6001, hostile_logs, sizeof(hostile_logs) / sizeof(hostile_logs[0]),
	                   "instruction 2: custom error 6001 PublicKeyMismatch (Bubblegum)"));
	CHECK(desc_logs_is(err6001, NULL, 5,
	                   "instruction 2: custom error 6001 PublicKeyMismatch (Bubblegum)"));
	/* logs do not change non-custom errors */
	CHECK(desc_logs_is("{\"InstructionError\":[2,\"ProgramFailedToComplete\"]}", cpi_logs, 16,
	                   "instruction 2: ProgramFailedToComplete (Bubblegum: \"Program failed to "
	                   "complete\")"));

	/* jansson form with the info struct */
	err = json_loads(err6001, 0, NULL);
	jlogs = json_array();
	for (i = 0; i < sizeof(cpi_logs) / sizeof(cpi_logs[0]); i++)
		json_array_append_new(jlogs, json_string(cpi_logs[i]));
	json_array_append_new(jlogs, json_integer(5)); /* non-strings are skipped */
	CHECK(sol_describe_tx_error_json(err, mint_ixs, 3, jlogs, &info, out, sizeof(out)) == 0);
	CHECK(info.ix_index == 2 && info.custom_code == 6001);
	CHECK(info.program == SOL_PROG_ACCOUNT_COMPRESSION && info.via_cpi);
	CHECK(info.name && strcmp(info.name, "ConcurrentMerkleTreeError") == 0);
	CHECK(info.message && strcmp(info.message, "Concurrent merkle tree error") == 0);
	CHECK(sol_describe_tx_error_json(err, mint_ixs, 3, NULL, &info, out, sizeof(out)) == 0);
	CHECK(info.program == SOL_PROG_BUBBLEGUM && !info.via_cpi);
	CHECK(info.name && strcmp(info.name, "PublicKeyMismatch") == 0);
	json_decref(err);
	json_decref(jlogs);

	err = json_string("BlockhashNotFound");
	CHECK(sol_describe_tx_error_json(err, NULL, 0, NULL, &info, out, sizeof(out)) == 0);
	CHECK(info.ix_index == -1 && info.custom_code == -1 && info.program == SOL_PROG_UNKNOWN);
	CHECK(info.name && strcmp(info.name, "BlockhashNotFound") == 0);
	json_decref(err);
	CHECK(sol_describe_tx_error_json(NULL, NULL, 0, NULL, &info, out, sizeof(out)) == 0);
	CHECK(strcmp(out, "no error") == 0 && info.name == NULL);
	err = json_pack("[i]", 1);
	CHECK(sol_describe_tx_error_json(err, NULL, 0, NULL, &info, out, sizeof(out)) == -1);
	CHECK(strcmp(out, "unrecognized transaction error: [1]") == 0 && info.name == NULL);
	json_decref(err);
}

/* A very long log line or many lines are bounded (and still parsed at their start). */
static void
test_describe_logs_bounds(void)
{
	const char *err = "{\"InstructionError\":[0,{\"Custom\":6001}]}";
	const SolProgramKind one[1] = {SOL_PROG_BUBBLEGUM};
	size_t n = SOL_TX_ERROR_LOG_LINES_MAX + 10;
	const char **logs = calloc(n, sizeof(*logs));
	char *longline = malloc(100000);
	char out[SOL_TX_ERROR_DESC_MAX];
	size_t i;

	memset(longline, 'A', 99999);
	longline[99999] = '\0';
	memcpy(longline, "Program log: AnchorError Error Code: X", 38);
	for (i = 0; i < n; i++)
		logs[i] = longline;
	/* the attributing line comes after the cap: not seen */
	logs[n - 1] = "Program " CMT " failed: custom program error: 0x1771";
	sol_describe_tx_error_logs(err, one, 1, logs, n, out, sizeof(out));
	CHECKM(strcmp(out, "instruction 0: custom error 6001 PublicKeyMismatch (Bubblegum)") == 0, "%s",
	       out);
	logs[5] = logs[n - 1];
	sol_describe_tx_error_logs(err, one, 1, logs, n, out, sizeof(out));
	CHECKM(strncmp(out, "instruction 0: custom error 6001 ConcurrentMerkleTreeError", 58) == 0,
	       "%s", out);
	free(longline);
	free(logs);
}

const SolTest sol_tests_errors[] = {
    {"errors_bubblegum_table", test_bubblegum_table},
    {"errors_account_compression_table", test_account_compression_table},
    {"errors_anchor_table", test_anchor_table},
    {"errors_system_table", test_system_table},
    {"errors_program_kinds", test_program_kinds},
    {"errors_builtin_variants", test_builtin_variants},
    {"errors_describe_custom", test_describe_custom},
    {"errors_describe_builtin_tx", test_describe_builtin_and_tx},
    {"errors_describe_malformed", test_describe_malformed},
    {"errors_describe_truncation", test_describe_truncation},
    {"errors_describe_logs", test_describe_logs},
    {"errors_describe_logs_bounds", test_describe_logs_bounds},
    {NULL, NULL},
};

/*
 * mint_ext -- SPIN model of the mint attempt protocol.
 *
 * One job (= one (tenant, ticket)); NW workers; the SQL API; the webhook
 * provider; the Solana cluster (block production / landing, confirmation,
 * finalization, fork rollback) and the lease/lock environment.
 *
 * Every database transaction is one atomic{} / d_step{} step (it commits
 * whole or not at all).  Network calls are separate steps.  A worker may
 * crash (kill -9) between any two of its steps.
 *
 * Heights are stored RELATIVE TO THE FINALIZED HEIGHT F (F is always 0 in
 * the state vector): finalizing a block shifts every stored height down by
 * one.  This keeps the state space finite while the chain can advance
 * forever (needed for the liveness check).  See model/README.md.
 *
 * Compile-time switches (negative variants, see run.sh):
 *   SEND_FIRST           (a) sign + send, THEN record the attempt
 *   EXPIRE_AT_CONFIRMED  (b) "expired" decided with the confirmed height
 *   NOFENCE              (c) worker writes not fenced by lease_token
 *   STATUS_FIRST         (d) getSignatureStatuses before getBlockHeight
 *   TRUST_CONFIRMED      (e) landed ok / landed err (worker and webhook)
 *                            concluded at confirmed, not finalized, commitment
 *   NO_EXPIRE            (f) never expire an attempt (liveness must fail)
 *   NOFENCEASSERT        drop the fence assertion (see what a stale write does)
 *   NO_S3                drop the failed/cancelled-means-no-mint assertions
 *                        (see a counterexample run on to two mints)
 */

/* ---------------- bounds ---------------- */
#ifndef NW
#define NW 2            /* workers */
#endif
#ifndef MAXATT
#define MAXATT 2        /* mint.max_attempts */
#endif
#ifndef MAXRETRY
#define MAXRETRY 1      /* retry_mint calls */
#endif
#ifndef MAXCRASH
#define MAXCRASH 1      /* worker crashes (all workers together) */
#endif
#ifndef MAXLOCKLOSS
#define MAXLOCKLOSS 1   /* advisory lock lost while the worker lives */
#endif
#ifndef MAXRPCFAIL
#define MAXRPCFAIL 1    /* RPC calls that fail / lose their response */
#endif
#ifndef MAXROLLBACK
#define MAXROLLBACK 1   /* fork switches dropping non-finalized blocks */
#endif
#ifndef MAXWEBHOOK
#define MAXWEBHOOK 2    /* webhook deliveries */
#endif
#ifndef LAG
#define LAG 2           /* max processed height - finalized height */
#endif
#ifndef WIN
#define WIN 1           /* lastValidBlockHeight = blockhash height + WIN */
#endif

#define NROWS (MAXATT * (1 + MAXRETRY))   /* attempt rows that can exist */
#ifdef SEND_FIRST
#define NSIG (NROWS + 2)                  /* signed txs that can exist */
#else
#define NSIG NROWS
#endif

/* ---------------- enums ---------------- */
#define J_NONE      0
#define J_QUEUED    1
#define J_INFLIGHT  2
#define J_SUBMITTED 3
#define J_CONFIRMED 4
#define J_FAILED    5
#define J_CANCELLED 6

#define A_NONE     0
#define A_PENDING  1
#define A_LOK      2
#define A_LERR     3
#define A_EXPIRED  4

#define L_NONE  0      /* not in the current chain */
#define L_OK    1      /* landed, no error: a MINT */
#define L_ERR   2      /* landed with a retryable instruction error */
#define L_PERM  3      /* landed with a permanent instruction error */

#define R_NONE  0      /* getSignatureStatuses: null */
#define R_WAIT  1      /* found, but not at the commitment we trust yet */
#define R_OK    2
#define R_ERR   3
#define R_PERM  4

/* ---------------- database ---------------- */
byte st = J_NONE;      /* mint_jobs.status */
byte tok = 0;          /* mint_jobs.lease_token */
bool lease = false;    /* lease_until > now() */
byte natt = 0;         /* mint_jobs.attempts (budget counter) */
byte nrows = 0;        /* mint_attempts rows of the job */
byte ast[NROWS];       /* mint_attempts.state */
byte rsig[NROWS];      /* mint_attempts.signature (index into cluster) */
byte lockh = 0;        /* session advisory lock holder: 0 or worker+1 */

/* ---------------- cluster ---------------- */
byte nsig = 0;         /* signatures ever signed */
byte lvp[NSIG];        /* lastValidBlockHeight - F + 1, clamped at 0 (0: F > lvbh) */
bool sent[NSIG];       /* bytes reached the cluster at least once (nodes rebroadcast) */
bool gone[NSIG];       /* its blockhash was on a dropped fork: can never land */
byte land[NSIG];       /* L_* in the current chain */
byte lat[NSIG];        /* landing height - F, clamped at 0 (0: finalized) */
byte c = 0;            /* confirmed height - F */
byte p = 0;            /* processed height - F */
byte mints = 0;        /* L_OK signatures in the current chain */

/* ---------------- bounded faults ---------------- */
byte crashes = 0, locklosses = 0, rpcfails = 0, rollbacks = 0, whdeliv = 0, retries = 0;
bool cancelled_once = false;

/* ---------------- worker volatile memory ---------------- */
byte mytok[NW];        /* the lease token I claimed with (0: no job) */
byte wlv[NW];          /* lvp of the blockhash I fetched, not yet used */

/* ---------------- helpers ---------------- */
#define DEAD(i)  (ast[i] != A_PENDING && ast[i] != A_LOK)
#define PEND(i)  (ast[i] == A_PENDING)
#if NROWS == 1
#define ANYPEND (PEND(0))
#elif NROWS == 2
#define ANYPEND (PEND(0) || PEND(1))
#elif NROWS == 3
#define ANYPEND (PEND(0) || PEND(1) || PEND(2))
#elif NROWS == 4
#define ANYPEND (PEND(0) || PEND(1) || PEND(2) || PEND(3))
#elif NROWS == 6
#define ANYPEND (PEND(0) || PEND(1) || PEND(2) || PEND(3) || PEND(4) || PEND(5))
#endif
#if NROWS == 1
#define ALLDEAD (DEAD(0))
#elif NROWS == 2
#define ALLDEAD (DEAD(0) && DEAD(1))
#elif NROWS == 3
#define ALLDEAD (DEAD(0) && DEAD(1) && DEAD(2))
#elif NROWS == 4
#define ALLDEAD (DEAD(0) && DEAD(1) && DEAD(2) && DEAD(3))
#elif NROWS == 6
#define ALLDEAD (DEAD(0) && DEAD(1) && DEAD(2) && DEAD(3) && DEAD(4) && DEAD(5))
#else
#error "NROWS not supported"
#endif

#define MINE     (tok == mytok[w])
#ifdef NOFENCE
#define FENCED   (true)
#define UNFENCED (false)
#else
#define FENCED   (MINE)
#define UNFENCED (!MINE)
#endif
#ifdef NOFENCEASSERT
#define FENCE_ASSERT skip
#else
/* property: a write of a worker whose token is stale never commits */
#define FENCE_ASSERT assert(MINE)
#endif

/* property: a confirmed job is never changed */
#define SETST(x) assert(st != J_CONFIRMED || (x) == J_CONFIRMED); st = (x)
/* property: failed / cancelled only when no mint is (or can be) on chain
 * (NO_S3: leave it out, to see a counterexample reach "two mints") */
#ifdef NO_S3
#define S3(e) skip
#else
#define S3(e) assert(e)
#endif
#define SET_FAILED   S3(mints == 0); SETST(J_FAILED)

#define ACTIVE   (st == J_INFLIGHT || st == J_SUBMITTED)
#define CLAIMABLE (st == J_QUEUED || (ACTIVE && !lease))

/* the expiry rule: finalized height > lastValidBlockHeight */
#if defined(NO_EXPIRE)
#define PAST(s)  (false)                /* (f) never expire: liveness must fail */
#elif defined(EXPIRE_AT_CONFIRMED)
#define PAST(s)  (c >= lvp[s])          /* confirmed height > lvbh */
#else
#define PAST(s)  (lvp[s] == 0)          /* finalized height > lvbh */
#endif

/* which landings the worker / webhook provider treat as settled */
#ifdef TRUST_CONFIRMED
#define SETTLED(s) (land[s] != L_NONE && lat[s] <= c)
#else
#define SETTLED(s) (land[s] != L_NONE && lat[s] == 0)
#endif

#define STATUS(s) (land[s] == L_NONE -> R_NONE : (!SETTLED(s) -> R_WAIT : \
                   (land[s] == L_OK -> R_OK : (land[s] == L_ERR -> R_ERR : R_PERM))))

/* drop the job from volatile memory; unlock my session advisory lock */
#define DROP  if :: lockh == w + 1 -> lockh = 0 :: else -> skip fi; \
              mytok[w] = 0; wlv[w] = 0; r = 0; s = 0; res = 0; past = false

/* kill -9 at this point: volatile memory lost, the backend's session lock released */
#define CRASH :: atomic { crashes < MAXCRASH -> crashes++; printf("MSC: W%d CRASH (kill -9)\n", w); DROP }; goto idle

/* ================================================================== */
proctype Worker(byte w)
{
	byte r, s, res;
	bool past;

idle:
end_idle:
	/* mint_claim_batch */
	atomic {
		lockh == 0 && CLAIMABLE ->
		lockh = w + 1; tok++; mytok[w] = tok; lease = true;
		printf("MSC: W%d claim status=%d -> token %d\n", w, st, tok);
		if :: st == J_QUEUED -> st = J_INFLIGHT :: else -> skip fi
	};

work:
	if
	/* re-read the job row: taken over, or settled by someone else -> drop */
	:: atomic { (!MINE || !ACTIVE) -> printf("MSC: W%d drops job (status %d, token %d, mine %d)\n", w, st, tok, mytok[w]); DROP }; goto idle
	/* mint_reconcile_batch: the (first) pending attempt */
	:: atomic {
		ANYPEND ->
		r = 0;
		do :: ast[r] != A_PENDING -> r++ :: else -> break od;
		s = rsig[r]
	   }; goto reconcile
	:: atomic { ALLDEAD && natt < MAXATT }; goto record
	:: atomic { ALLDEAD && natt >= MAXATT }; goto fail
	CRASH
	fi;
	goto work;

reconcile:
#ifndef STATUS_FIRST
	/* getBlockHeight(finalized): decides "past" BEFORE the status query */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getBlockHeight RPC failed\n", w); r = 0; s = 0 }; goto work
	:: atomic { past = PAST(s); printf("MSC: W%d getBlockHeight: sig %d past lastValid = %d\n", w, s, past) }
	CRASH
	fi;
#endif
	/* getSignatureStatuses(searchTransactionHistory = true) */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getSignatureStatuses RPC failed\n", w); r = 0; s = 0; past = false }; goto work
	:: atomic { res = STATUS(s); printf("MSC: W%d getSignatureStatuses sig %d -> %d (0 none,1 unsettled,2 ok,3 err,4 perm)\n", w, s, res) }
	CRASH
	fi;
#ifdef STATUS_FIRST
	/* (d) height read AFTER the status: stale "not found" */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getBlockHeight RPC failed\n", w); r = 0; s = 0; res = 0 }; goto work
	:: atomic { past = PAST(s); printf("MSC: W%d getBlockHeight: sig %d past lastValid = %d\n", w, s, past) }
	CRASH
	fi;
#endif
	if
	:: res == R_OK ->
		/* mint_confirm_job */
		if
		:: atomic { FENCED -> FENCE_ASSERT;
			assert(land[s] == L_OK);
			if :: ast[r] == A_PENDING -> ast[r] = A_LOK :: else -> skip fi;
			SETST(J_CONFIRMED); lease = false;
			printf("MSC: W%d COMMIT confirm (row %d sig %d)\n", w, r, s); DROP }; goto idle
		:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
		CRASH
		fi
	:: res == R_ERR || res == R_PERM ->
		/* attempt landed_err; permanent: mint_fail_job, else mint_requeue_job */
		if
		:: atomic { FENCED -> FENCE_ASSERT;
			if :: ast[r] == A_PENDING -> ast[r] = A_LERR :: else -> skip fi;
			if :: res == R_PERM -> SET_FAILED :: else -> SETST(J_QUEUED) fi;
			printf("MSC: W%d COMMIT row %d landed_err, job status %d\n", w, r, st);
			lease = false; DROP }; goto idle
		:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
		CRASH
		fi
	:: res == R_WAIT -> atomic { r = 0; s = 0; res = 0; past = false }; goto work
	:: res == R_NONE && past ->
		/* mint_expire_attempt */
		if
		:: atomic { FENCED -> FENCE_ASSERT;
			if :: ast[r] == A_PENDING -> ast[r] = A_EXPIRED :: else -> skip fi;
			printf("MSC: W%d COMMIT expire row %d (sig %d)\n", w, r, s);
			r = 0; s = 0; res = 0; past = false }; goto work
		:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
		CRASH
		fi
	:: res == R_NONE && !past ->
		/* re-broadcast the same signed bytes (same signature); unfenced, harmless */
		if
		:: atomic { sent[s] = true; printf("MSC: W%d re-broadcast sig %d\n", w, s);
			r = 0; s = 0; res = 0; past = false }; goto work
		CRASH
		fi
	fi;

record:
	/* mint_record_attempt, part 1: getLatestBlockhash(confirmed) */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getLatestBlockhash RPC failed, retry later\n", w) }; goto work
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getLatestBlockhash RPC failed, back off\n", w) }; goto requeue
	:: atomic { wlv[w] = c + 1 + WIN; printf("MSC: W%d getLatestBlockhash: confirmed height F+%d, lastValid F+%d\n", w, c, c + WIN) }
	CRASH
	fi;
#ifndef SEND_FIRST
	/* part 2: sign, INSERT attempt (pending), attempts += 1, submitted; COMMIT */
	if
	:: atomic { FENCED && ALLDEAD && natt < MAXATT && ACTIVE -> FENCE_ASSERT;
		s = nsig; nsig++; lvp[s] = wlv[w]; wlv[w] = 0;
		r = nrows; nrows++; ast[r] = A_PENDING; rsig[r] = s;
		natt++; SETST(J_SUBMITTED);
		printf("MSC: W%d COMMIT record row %d sig %d (token %d)\n", w, r, s, mytok[w]) }
	:: atomic { FENCED && !(ALLDEAD && natt < MAXATT && ACTIVE) -> wlv[w] = 0 }; goto work
	:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
	CRASH
	fi;
	/* mint_send_attempts: only after the commit */
	if
	:: atomic { sent[s] = true; printf("MSC: W%d send sig %d\n", w, s); r = 0; s = 0 }; goto work
	CRASH
	fi;
#else
	/* (a) sign and send first ... */
	if
	:: atomic { nsig < NSIG -> s = nsig; nsig++; lvp[s] = wlv[w]; wlv[w] = 0; sent[s] = true;
		printf("MSC: W%d sign + send sig %d (not recorded yet)\n", w, s) }
	CRASH
	fi;
	/* ... then record */
	if
	:: atomic { FENCED && ALLDEAD && natt < MAXATT && ACTIVE -> FENCE_ASSERT;
		r = nrows; nrows++; ast[r] = A_PENDING; rsig[r] = s;
		natt++; SETST(J_SUBMITTED);
		printf("MSC: W%d COMMIT record row %d sig %d (token %d)\n", w, r, s, mytok[w]); r = 0; s = 0 }; goto work
	:: atomic { FENCED && !(ALLDEAD && natt < MAXATT && ACTIVE) -> s = 0 }; goto work
	:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
	CRASH
	fi;
#endif

requeue:
	/* mint_requeue_job (retryable RPC error before an attempt was built) */
	if
	:: atomic { FENCED -> FENCE_ASSERT; SETST(J_QUEUED); lease = false;
		printf("MSC: W%d COMMIT requeue (token %d)\n", w, mytok[w]); DROP }; goto idle
	:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
	CRASH
	fi;

fail:
	/* mint_fail_job: attempts exhausted, every attempt dead */
	if
	:: atomic { FENCED -> FENCE_ASSERT; SET_FAILED; lease = false;
		printf("MSC: W%d COMMIT fail (attempts exhausted)\n", w); DROP }; goto idle
	:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
	CRASH
	fi
}

/* ================================================================== */
/* SQL API: mint.mint_ticket, mint.retry_mint, mint.cancel_mint        */
active proctype Api()
{
	st = J_QUEUED;      /* mint_ticket: INSERT ... ON CONFLICT (a repeat call is a no-op) */
end_api:
	do
	:: atomic { retries < MAXRETRY && st == J_FAILED ->
		retries++; SETST(J_QUEUED); natt = 0; printf("MSC: API retry_mint\n") }
	:: atomic { !cancelled_once && (st == J_QUEUED || st == J_FAILED) && !lease && ALLDEAD ->
		cancelled_once = true; S3(mints == 0); SETST(J_CANCELLED); printf("MSC: API cancel_mint\n") }
	od
}

/* ================================================================== */
/* lease expiry and advisory-lock loss                                */
active proctype Env()
{
end_env:
	do
	/* lease_until passes: only when the holder's session lock is gone */
	:: atomic { lease && lockh == 0 -> lease = false; printf("MSC: lease expired\n") }
	/* the holder's session (and lock) vanishes while the worker lives on */
	:: atomic { lockh != 0 && locklosses < MAXLOCKLOSS -> locklosses++; printf("MSC: W%d loses its advisory lock (still running)\n", lockh - 1); lockh = 0 }
	od
}

/* ================================================================== */
/* the cluster: blocks, landing, confirmation, finalization, forks     */
active proctype Cluster()
{
	byte i, x;
end_cluster:
	do
	/* a new block at height p+1, empty or with one sent, valid tx */
	:: atomic {
		p < LAG -> p++;
		x = 0;
		do :: x < NSIG - 1 -> x++ :: break od;
		if
		:: sent[x] && land[x] == L_NONE && !gone[x] && p < lvp[x] ->
			lat[x] = p;
			printf("MSC: cluster: block F+%d includes sig %d\n", p, x);
			if
			:: land[x] = L_OK; mints++; printf("MSC: cluster: sig %d MINTS (mints on chain = %d)\n", x, mints);
			   assert(mints <= 1);                         /* never two mints */
			   S3(st != J_FAILED && st != J_CANCELLED)  /* failed/cancelled: nothing lands */
			:: land[x] = L_ERR; printf("MSC: cluster: sig %d fails (retryable)\n", x)
			:: land[x] = L_PERM; printf("MSC: cluster: sig %d fails (permanent)\n", x)
			fi
		:: true   /* empty block / tx dropped / rejected */
		fi;
		x = 0
	   }
	/* confirmation advances */
	:: atomic { c < p -> c++; printf("MSC: cluster: confirmed height F+%d\n", c) }
	/* finalization advances: shift every height down by one */
	:: d_step {
		c > 0 -> c--; p--;
		for (i : 0 .. NSIG - 1) {
			if :: lvp[i] > 0 -> lvp[i]-- :: else -> skip fi;
			if :: lat[i] > 0 -> lat[i]-- :: else -> skip fi
		}
		for (i : 0 .. NW - 1) {
			if :: wlv[i] > 0 -> wlv[i]-- :: else -> skip fi
		}
		i = 0;
		printf("MSC: cluster: finalized height F := F+1 (heights below are now relative to it)\n")
	   }
	/* fork switch: drop every block above height x (x >= finalized) */
	:: atomic {
		rollbacks < MAXROLLBACK && p > 0 -> rollbacks++;
		x = 0;
		do :: x < p - 1 -> x++ :: break od;
		p = x;
		if :: c > x -> c = x :: else -> skip fi;
		printf("MSC: cluster: FORK SWITCH, blocks above F+%d dropped\n", x);
		for (i : 0 .. NSIG - 1) {
			if
			:: land[i] != L_NONE && lat[i] > x ->
				if
				:: land[i] == L_OK -> mints--;
				   assert(st != J_CONFIRMED)   /* a confirmed mint is never undone */
				:: else -> skip
				fi;
				land[i] = L_NONE; lat[i] = 0
			:: else -> skip
			fi;
			/* blockhash height = lvbh - WIN; its block is dropped if above x */
			if :: i < nsig && lvp[i] > x + 1 + WIN -> gone[i] = true :: else -> skip fi
		}
		i = 0; x = 0
	   }
	od
}

/* ================================================================== */
/* webhook provider: late, duplicated, out of order deliveries         */
active proctype Webhook()
{
	byte x, r;
end_webhook:
	do
	:: atomic {
		whdeliv < MAXWEBHOOK ->
		x = 0;
		do :: x < NSIG - 1 -> x++ :: break od;
		if
		:: SETTLED(x) -> whdeliv++;
			/* mint_apply_webhook_event: find the attempt with that signature */
			r = 0;
			do
			:: r < nrows && rsig[r] != x -> r++
			:: r >= nrows || rsig[r] == x -> break
			od;
			if
			:: r < nrows && land[x] == L_OK ->
				/* success: attempt landed_ok, job confirmed (the truth) */
				ast[r] = A_LOK; printf("MSC: webhook: sig %d landed ok\n", x);
				if :: st != J_CONFIRMED -> SETST(J_CONFIRMED) :: else -> skip fi
			:: r < nrows && land[x] != L_OK ->
				/* failure: only a pending attempt becomes landed_err */
				if :: ast[r] == A_PENDING -> ast[r] = A_LERR :: else -> skip fi;
				printf("MSC: webhook: sig %d failed\n", x)
			:: else -> skip   /* unknown signature: stored, ignored */
			fi
		:: else -> skip       /* nothing (yet) to report for x */
		fi;
		x = 0; r = 0
	   }
	od
}

init
{
	byte k;
	atomic {
		for (k : 0 .. NW - 1) { run Worker(k) }
		k = 0
	}
}

/* liveness: every job ends confirmed with exactly one mint, or failed /
 * cancelled with none (and stays so) */
#define TERMINAL ((st == J_CONFIRMED && mints == 1) || \
                  ((st == J_FAILED || st == J_CANCELLED) && mints == 0))
ltl live { <> [] TERMINAL }

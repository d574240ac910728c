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
 * LAGGING RPC NODES: the worker reaches the cluster through one URL, a load
 * balancer in front of nodes that lag the tip p.  A node whose view is h
 * (it has seen the canonical chain up to height h) answers from that view:
 * finalized height min(fin, h) with context slot = that height; a status
 * query is "unknown" if the landing is above h, and carries context slot h.
 * Slot = height: along one chain the slot order is the height order.
 *   default:   every request is answered by a node at ANY view h with
 *              p - NLAG <= h <= p, chosen afresh per request (any number of
 *              nodes, any routing, lags that change at will: this contains
 *              every behaviour of the two-node model below, and is cheaper).
 *   TWO_NODES: NN = 2 persistent node views vw[0] <= vw[1] <= p, each
 *              advancing on its own, lagging the tip by at most NLAG (the tip
 *              waits for the slowest node); every request goes to either.
 * Heights are stored relative to BASE, the lowest height any node can
 * report as finalized: min(fin, max(0, p - NLAG)) by default, min(fin,
 * vw[0]) with TWO_NODES; fin (the cluster's finalized height) is a variable
 * of its own.
 *
 * Compile-time switches (negative variants, see run.sh):
 *   SEND_FIRST           (a) sign + send, THEN record the attempt
 *   EXPIRE_AT_CONFIRMED  (b) "expired" decided with the confirmed height
 *   NOFENCE              (c) worker writes not fenced by lease_token
 *   STATUS_FIRST         (d) getSignatureStatuses before getBlockHeight
 *   TRUST_CONFIRMED      (e) landed ok / landed err (worker and webhook)
 *                            concluded at confirmed, not finalized, commitment
 *   NO_EXPIRE            (f) never expire an attempt (liveness must fail)
 *   NO_CONTEXT_CHECK     (g) an "unknown" status counts whatever its
 *                            context slot: a node behind the height's node
 *                            proves expiry
 *   SPLIT_HS             (i) H and its slot S taken from two different
 *                            answers (two requests, possibly two nodes)
 *   REFRESH_S            (h) after an inconclusive answer, ask the height
 *                            (and its slot S) again instead of keeping them
 *                            (liveness must fail)
 *   TWO_NODES            two persistent node views instead of any view per
 *                            request (see below)
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
#ifndef NLAG
#define NLAG 2          /* max tip height - a node view's height */
#endif
#define NN 2            /* RPC node views behind the one URL (fixed) */

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

#define MIN(a, b) ((a) < (b) -> (a) : (b))

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
/* every height is relative to BASE (see the top of the file) */
byte nsig = 0;         /* signatures ever signed */
byte lvp[NSIG];        /* lastValidBlockHeight - BASE + 1, clamped at 0 (0: BASE > lvbh) */
bool sent[NSIG];       /* bytes reached the cluster at least once (nodes rebroadcast) */
bool gone[NSIG];       /* its blockhash was on a dropped fork: can never land */
byte land[NSIG];       /* L_* in the current chain */
byte lat[NSIG];        /* landing height - BASE, clamped at 0 (0: below BASE) */
byte fin = 0;          /* finalized height (the cluster's, i.e. the truth) - BASE */
byte c = 0;            /* confirmed height - BASE */
byte p = 0;            /* processed height (the tip) - BASE */
#ifdef TWO_NODES
byte vw[NN];           /* node views: height each node has seen - BASE; kept
                        * sorted (nodes are interchangeable: symmetry) */
#endif
byte mints = 0;        /* L_OK signatures in the current chain */

/* ---------------- bounded faults ---------------- */
byte crashes = 0, locklosses = 0, rpcfails = 0, rollbacks = 0, whdeliv = 0, retries = 0;
bool cancelled_once = false;

/* ---------------- worker volatile memory ---------------- */
byte mytok[NW];        /* the lease token I claimed with (0: no job) */
byte wlv[NW];          /* lvp of the blockhash I fetched, not yet used */
byte wS[NW];           /* context slot S of the height that proved "past"
                        * (relative, clamped at 0), held until concluded */
#ifdef STATUS_FIRST
byte wC[NW];           /* (d) context slot + 1 of the status asked first (0: below BASE) */
#endif

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

/* the height a node view h answers the expiry query with (getEpochInfo at
 * finalized: blockHeight and absoluteSlot from one response; slot = height) */
#ifdef EXPIRE_AT_CONFIRMED
#define HGT(h)   MIN(c, h)              /* (b) the node's confirmed height */
#else
#define HGT(h)   MIN(fin, h)            /* the node's finalized height */
#endif
/* the expiry rule: that height > lastValidBlockHeight */
#if defined(NO_EXPIRE)
#define PAST(s, h)  (false)             /* (f) never expire: liveness must fail */
#else
#define PAST(s, h)  (HGT(h) >= lvp[s])
#endif
/* the context check: an "unknown" counts only if its context slot C is at
 * or past the slot S of the height that proved "past" */
#ifdef NO_CONTEXT_CHECK
#define CTXOK(C, S) (true)              /* (g) any node's "unknown" counts */
#else
#define CTXOK(C, S) ((C) >= (S))
#endif

/* which landings the worker / webhook provider treat as settled (a node
 * reports a landing only if it is in its view; then "finalized" there means
 * lat <= fin, and "confirmed" lat <= c) */
#ifdef TRUST_CONFIRMED
#define SETTLED(s) (land[s] != L_NONE && lat[s] <= c)
#else
#define SETTLED(s) (land[s] != L_NONE && lat[s] <= fin)
#endif

/* getSignatureStatuses(searchTransactionHistory) answered by a node whose view is h */
#define STATUS(s, h) ((land[s] == L_NONE || lat[s] > (h)) -> R_NONE : (!SETTLED(s) -> R_WAIT : \
                   (land[s] == L_OK -> R_OK : (land[s] == L_ERR -> R_ERR : R_PERM))))
/* the load balancer sends this request to any node: h := that node's view */
#ifdef TWO_NODES
#define ANYNODE(h) if :: h = vw[0] :: h = vw[1] fi
#else
/* the lowest view any node can have: p - NLAG (or genesis) */
#define LOWVIEW  (p > NLAG -> p - NLAG : 0)
#define ANYNODE(h) h = LOWVIEW; do :: h < p -> h++ :: break od
#endif

/* drop the job from volatile memory; unlock my session advisory lock */
#define DROP  if :: lockh == w + 1 -> lockh = 0 :: else -> skip fi; \
              mytok[w] = 0; wlv[w] = 0; r = 0; s = 0; res = 0; past = false; \
              conc = false; h = 0; wS[w] = 0; CLRC
#ifdef STATUS_FIRST
#define CLRC wC[w] = 0
#else
#define CLRC skip
#endif

/* kill -9 at this point: volatile memory lost, the backend's session lock released */
#define CRASH :: atomic { crashes < MAXCRASH -> crashes++; printf("MSC: W%d CRASH (kill -9)\n", w); DROP }; goto idle

/* ================================================================== */
proctype Worker(byte w)
{
	byte r, s, res, h;
	bool past, conc;

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
	/* getEpochInfo(finalized), one response from one node: the finalized
	 * height H decides "past" BEFORE the status query, and its slot S is
	 * kept with it */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getEpochInfo RPC failed\n", w); r = 0; s = 0 }; goto work
	:: atomic { ANYNODE(h); past = PAST(s, h);
		printf("MSC: W%d getEpochInfo (node at B+%d): height H=B+%d; sig %d past lastValid = %d\n",
			w, h, HGT(h), s, past);
#ifdef SPLIT_HS
		/* (i) S from ANOTHER answer (a second request, e.g. getSlot(finalized)) */
		ANYNODE(h);
#endif
		if :: past -> wS[w] = HGT(h); printf("MSC: W%d keeps S=B+%d\n", w, wS[w]) :: else -> skip fi;
		h = 0 }
	CRASH
	fi;
status:
#endif
	/* getSignatureStatuses(searchTransactionHistory = true), answered with context slot C */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getSignatureStatuses RPC failed\n", w);
		r = 0; s = 0; past = false; wS[w] = 0 }; goto work
	:: atomic { ANYNODE(h); res = STATUS(s, h);
#ifndef STATUS_FIRST
		conc = CTXOK(h, wS[w]);
		if :: res == R_NONE && past && !conc -> skip :: else -> wS[w] = 0 fi;
#else
		wC[w] = h + 1;
#endif
		printf("MSC: W%d getSignatureStatuses sig %d -> %d (0 none,1 unsettled,2 ok,3 err,4 perm), context slot C=B+%d\n", w, s, res, h);
		h = 0 }
	CRASH
	fi;
#ifdef STATUS_FIRST
	/* (d) height read AFTER the status: stale "not found" */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getEpochInfo RPC failed\n", w); r = 0; s = 0; res = 0; wC[w] = 0 }; goto work
	:: atomic { ANYNODE(h); past = PAST(s, h); conc = CTXOK(wC[w], HGT(h) + 1); wC[w] = 0;
		printf("MSC: W%d getEpochInfo (node at B+%d): height H=B+%d; sig %d past lastValid = %d\n", w, h, HGT(h), s, past); h = 0 }
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
	:: res == R_WAIT -> atomic { r = 0; s = 0; res = 0; past = false; conc = false }; goto work
	:: res == R_NONE && past && conc ->
		/* mint_expire_attempt */
		if
		:: atomic { FENCED -> FENCE_ASSERT;
			if :: ast[r] == A_PENDING -> ast[r] = A_EXPIRED :: else -> skip fi;
			printf("MSC: W%d COMMIT expire row %d (sig %d)\n", w, r, s);
			r = 0; s = 0; res = 0; past = false; conc = false }; goto work
		:: atomic { UNFENCED -> printf("MSC: W%d fenced write matched no row: drop\n", w); DROP }; goto idle
		CRASH
		fi
	:: res == R_NONE && past && !conc ->
		/* inconclusive: the answering node is behind the slot S of the
		 * height that proved "past".  Keep (H, S) and ask the status again. */
		atomic { printf("MSC: W%d inconclusive (node behind S): ask again\n", w); res = 0 };
#if !defined(STATUS_FIRST) && !defined(REFRESH_S)
		goto status
#else
		/* (h) start over: ask the height (and S) again */
		atomic { r = 0; s = 0; past = false; conc = false; wS[w] = 0 }; goto work
#endif
	:: res == R_NONE && !past ->
		/* re-broadcast the same signed bytes (same signature); unfenced, harmless */
		if
		:: atomic { sent[s] = true; printf("MSC: W%d re-broadcast sig %d\n", w, s);
			r = 0; s = 0; res = 0; past = false; conc = false }; goto work
		CRASH
		fi
	fi;

record:
	/* mint_record_attempt, part 1: getLatestBlockhash(confirmed) */
	if
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getLatestBlockhash RPC failed, retry later\n", w) }; goto work
	:: atomic { rpcfails < MAXRPCFAIL -> rpcfails++; printf("MSC: W%d getLatestBlockhash RPC failed, back off\n", w) }; goto requeue
	:: atomic { ANYNODE(h); wlv[w] = MIN(c, h) + 1 + WIN;
		printf("MSC: W%d getLatestBlockhash (node at B+%d): confirmed height B+%d, lastValid B+%d\n", w, h, MIN(c, h), MIN(c, h) + WIN); h = 0 }
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
/* and the node views behind the one RPC URL                          */

/* BASE rose to 1: shift every stored height down by one */
#ifdef TWO_NODES
#define BASEUP   (fin > 0 && vw[0] > 0)
#define SHIFTVW  vw[0]--; vw[1]--
#else
#define BASEUP   (fin > 0 && LOWVIEW > 0)
#define SHIFTVW  skip
#endif
#define SHIFT \
	if \
	:: BASEUP -> \
		fin--; c--; p--; SHIFTVW; \
		for (i : 0 .. NSIG - 1) { \
			if :: lvp[i] > 0 -> lvp[i]-- :: else -> skip fi; \
			if :: lat[i] > 0 -> lat[i]-- :: else -> skip fi \
		} \
		for (i : 0 .. NW - 1) { \
			if :: wlv[i] > 0 -> wlv[i]-- :: else -> skip fi; \
			if :: wS[i] > 0 -> wS[i]-- :: else -> skip fi; \
			SHIFTC \
		} \
		i = 0; \
		printf("MSC: cluster: BASE := BASE+1 (heights below are now relative to it)\n") \
	:: else -> skip \
	fi
#ifdef STATUS_FIRST
#define SHIFTC if :: wC[i] > 0 -> wC[i]-- :: else -> skip fi
#else
#define SHIFTC skip
#endif

active proctype Cluster()
{
	byte i, x;
end_cluster:
	do
	/* a new block at height p+1, empty or with one sent, valid tx; the tip
	 * stays within LAG of finalized (TWO_NODES: and within NLAG of every
	 * node view) */
	:: atomic {
#ifdef TWO_NODES
		p < fin + LAG && p < vw[0] + NLAG -> p++;
#else
		p < fin + LAG -> p++;
#endif
		x = 0;
		do :: x < NSIG - 1 -> x++ :: break od;
		if
		:: sent[x] && land[x] == L_NONE && !gone[x] && p < lvp[x] ->
			lat[x] = p;
			printf("MSC: cluster: block B+%d includes sig %d\n", p, x);
			if
			:: land[x] = L_OK; mints++; printf("MSC: cluster: sig %d MINTS (mints on chain = %d)\n", x, mints);
			   assert(mints <= 1);                         /* never two mints */
			   S3(st != J_FAILED && st != J_CANCELLED)  /* failed/cancelled: nothing lands */
			:: land[x] = L_ERR; printf("MSC: cluster: sig %d fails (retryable)\n", x)
			:: land[x] = L_PERM; printf("MSC: cluster: sig %d fails (permanent)\n", x)
			fi
		:: printf("MSC: cluster: block B+%d\n", p)   /* empty block / tx dropped / rejected */
		fi;
		x = 0;
#ifndef TWO_NODES
		SHIFT
#else
		skip
#endif
	   }
	/* confirmation advances */
	:: atomic { c < p -> c++; printf("MSC: cluster: confirmed height B+%d\n", c) }
	/* finalization advances */
	:: d_step { fin < c -> fin++; printf("MSC: cluster: finalized height B+%d\n", fin); SHIFT }
#ifdef TWO_NODES
	/* a node view catches up by one block (vw stays sorted: the slower one
	 * only while it is strictly behind the other) */
	:: d_step { vw[0] < vw[1] -> vw[0]++; printf("MSC: cluster: slower node view B+%d\n", vw[0]); SHIFT }
	:: atomic { vw[1] < p -> vw[1]++; printf("MSC: cluster: faster node view B+%d\n", vw[1]) }
#endif
	/* fork switch: drop every block above height x (x >= finalized); the
	 * node views follow the canonical chain */
	:: atomic {
		rollbacks < MAXROLLBACK && p > fin -> rollbacks++;
		x = fin;
		do :: x < p - 1 -> x++ :: break od;
		p = x;
		if :: c > x -> c = x :: else -> skip fi;
#ifdef TWO_NODES
		if :: vw[0] > x -> vw[0] = x :: else -> skip fi;
		if :: vw[1] > x -> vw[1] = x :: else -> skip fi;
#endif
		printf("MSC: cluster: FORK SWITCH, blocks above B+%d dropped\n", x);
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

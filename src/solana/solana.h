/*
 * solana.h
 *	  Umbrella header of mint_ext's plain-C Solana client library.
 *	  Never includes postgres.h; depends on libsodium, jansson and libcurl.
 */
#ifndef SOLANA_H
#define SOLANA_H

#include "sol_common.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"
#include "sol_bubblegum.h"
#include "sol_rpc.h"
#include "sol_fees.h"
#include "sol_tree.h"

#endif

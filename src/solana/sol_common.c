/*
 * sol_common.c
 *	  Error helpers, and the redacted form of a URL.
 */
#include "sol_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
sol_error_set(SolError *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

void
sol_error_clear(SolError *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

const char *
sol_error_code_name(int code)
{
	switch (code)
	{
		case SOL_OK:
			return "ok";
		case SOL_ERR_INVALID:
			return "invalid";
		case SOL_ERR_TOO_LONG:
			return "too_long";
		case SOL_ERR_TOO_LARGE:
			return "too_large";
		case SOL_ERR_KEYPAIR:
			return "keypair";
		case SOL_ERR_IO:
			return "io";
		case SOL_ERR_PDA:
			return "pda";
		case SOL_ERR_NOT_FOUND:
			return "not_found";
		case SOL_ERR_TX_FAILED:
			return "tx_failed";
		case SOL_ERR_NOMEM:
			return "nomem";
		default:
			return "internal";
	}
}

/* Append src[0..n) to out, truncating at cap - 1. */
static void
redact_put(char *out, size_t cap, size_t *at, const char *src, size_t n)
{
	while (n-- > 0 && *at + 1 < cap)
		out[(*at)++] = *src++;
	out[*at] = '\0';
}

char *
sol_url_redact(const char *url, char *out, size_t cap)
{
	const char *p;
	const char *host;
	const char *end;
	const char *at_sign;
	size_t o = 0;

	if (cap == 0)
		return out;
	out[0] = '\0';
	if (url == NULL)
		return out;
	p = strstr(url, "://");
	host = p ? p + 3 : url;
	redact_put(out, cap, &o, url, (size_t)(host - url));
	/* authority: [userinfo@]host[:port] */
	end = host + strcspn(host, "/?#");
	at_sign = memchr(host, '@', (size_t)(end - host));
	if (at_sign != NULL)
	{
		redact_put(out, cap, &o, "***@", 4);
		host = at_sign + 1;
	}
	redact_put(out, cap, &o, host, (size_t)(end - host));
	p = end;
	/* path segments */
	while (*p == '/')
	{
		size_t seg = strcspn(p + 1, "/?#");

		redact_put(out, cap, &o, "/", 1);
		if (seg >= 16)
			redact_put(out, cap, &o, "***", 3);
		else
			redact_put(out, cap, &o, p + 1, seg);
		p += 1 + seg;
	}
	/* query: names kept, values hidden */
	if (*p == '?')
	{
		p++;
		redact_put(out, cap, &o, "?", 1);
		while (*p != '\0' && *p != '#')
		{
			size_t name = strcspn(p, "=&#");

			redact_put(out, cap, &o, p, name);
			p += name;
			if (*p == '=')
			{
				redact_put(out, cap, &o, "=***", 4);
				p += 1 + strcspn(p + 1, "&#");
			}
			if (*p == '&')
			{
				redact_put(out, cap, &o, "&", 1);
				p++;
			}
		}
	}
	/* a fragment is never sent, and never shown */
	return out;
}

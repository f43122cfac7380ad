/*
 * Implicit typing of plain scalars, exactly as PyYAML's SafeLoader does it
 * (YAML 1.1): the seed's merge.py is the reference for `pxeinv merge`.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_load.h"

/**
 * Tell whether a plain scalar is one of a list of words.
 *
 * @v s         Text
 * @v n         Length
 * @v words     NULL-terminated list
 * @ret index   Index of the word, or -1
 */
static int resolve_word(const char *s, size_t n, const char *const *words)
{
	int i;

	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == n && memcmp(s, words[i], n) == 0)
			return i;
	return -1;
}

/**
 * Skip characters of a set.
 *
 * @v s         Text
 * @v i         Start
 * @v n         Length
 * @v set       Accepted characters
 * @ret end     First index not in set
 */
static size_t resolve_span(const char *s, size_t i, size_t n, const char *set)
{
	while (i < n && strchr(set, s[i]))
		i++;
	return i;
}

/**
 * Match "(:[0-5]?[0-9])+" from i.
 *
 * @v s         Text
 * @v i         Start
 * @v n         Length
 * @ret end     End of the match, or 0 when there is none
 */
static size_t resolve_sexagesimal_tail(const char *s, size_t i, size_t n)
{
	size_t start = i;

	while (i < n && s[i] == ':') {
		size_t j = i + 1;

		if (j < n && s[j] >= '0' && s[j] <= '5' && j + 1 < n &&
		    s[j + 1] >= '0' && s[j + 1] <= '9')
			j += 2;
		else if (j < n && s[j] >= '0' && s[j] <= '9')
			j += 1;
		else
			break;
		i = j;
	}
	return i == start ? 0 : i;
}

/**
 * Match PyYAML's int resolver.
 *
 * @v s         Text
 * @v n         Length
 * @ret match   1 when it is an int
 */
static int resolve_is_int(const char *s, size_t n)
{
	size_t i = 0, j;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i >= n)
		return 0;
	if (n - i > 2 && s[i] == '0' && s[i + 1] == 'b')
		return resolve_span(s, i + 2, n, "01_") == n;
	if (n - i > 2 && s[i] == '0' && s[i + 1] == 'x')
		return resolve_span(s, i + 2, n, "0123456789abcdefABCDEF_") == n;
	if (s[i] == '0')
		return n - i == 1 || resolve_span(s, i + 1, n, "01234567_") == n;
	if (s[i] < '1' || s[i] > '9')
		return 0;
	j = resolve_span(s, i + 1, n, "0123456789_");
	if (j == n)
		return 1;
	return resolve_sexagesimal_tail(s, j, n) == n;
}

/**
 * Match "[eE][-+][0-9]+" at the end, from i.
 *
 * @v s         Text
 * @v i         Start
 * @v n         Length
 * @ret match   1 when i == n or the exponent runs to the end
 */
static int resolve_exponent_to_end(const char *s, size_t i, size_t n)
{
	if (i == n)
		return 1;
	if (s[i] != 'e' && s[i] != 'E')
		return 0;
	i++;
	if (i >= n || (s[i] != '-' && s[i] != '+'))
		return 0;
	i++;
	if (i >= n)
		return 0;
	return resolve_span(s, i, n, "0123456789") == n;
}

/**
 * Match PyYAML's float resolver.
 *
 * @v s         Text
 * @v n         Length
 * @ret match   1 when it is a float
 */
static int resolve_is_float(const char *s, size_t n)
{
	static const char *const nan[] = { ".nan", ".NaN", ".NAN", NULL };
	static const char *const inf[] = { ".inf", ".Inf", ".INF", NULL };
	size_t i = 0, j;

	if (resolve_word(s, n, nan) >= 0)
		return 1;
	if (n > 1 && s[0] == '.' && s[1] >= '0' && s[1] <= '9') {
		/* "\.[0-9][0-9_]*": a digit first, so "._5" is a string */
		j = resolve_span(s, 1, n, "0123456789_");
		if (resolve_exponent_to_end(s, j, n))
			return 1;
	}
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (resolve_word(s + i, n - i, inf) >= 0)
		return 1;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return 0;
	j = resolve_span(s, i + 1, n, "0123456789_");
	if (j < n && s[j] == '.') {
		size_t k = resolve_span(s, j + 1, n, "0123456789_");

		if (resolve_exponent_to_end(s, k, n))
			return 1;
	}
	j = resolve_sexagesimal_tail(s, j, n);
	if (j && j < n && s[j] == '.')
		return resolve_span(s, j + 1, n, "0123456789_") == n;
	return 0;
}

/**
 * Match a run of exactly count digits.
 *
 * @v s         Text
 * @v i         Start, advanced on success
 * @v n         Length
 * @v min       Fewest digits
 * @v max       Most digits
 * @ret match   1 when matched
 */
static int resolve_digits(const char *s, size_t *i, size_t n, int min, int max)
{
	int k = 0;

	while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
		(*i)++;
		k++;
	}
	return k >= min;
}

/**
 * Match PyYAML's timestamp resolver.
 *
 * @v s         Text
 * @v n         Length
 * @ret match   1 when it is a timestamp
 */
static int resolve_is_timestamp(const char *s, size_t n)
{
	size_t i = 0;

	if (!resolve_digits(s, &i, n, 4, 4) || i >= n || s[i++] != '-')
		return 0;
	if (n == 10) {
		/* YYYY-MM-DD exactly */
		return resolve_digits(s, &i, n, 2, 2) && i < n &&
		       s[i++] == '-' && resolve_digits(s, &i, n, 2, 2) &&
		       i == n;
	}
	if (!resolve_digits(s, &i, n, 1, 2) || i >= n || s[i++] != '-' ||
	    !resolve_digits(s, &i, n, 1, 2) || i >= n)
		return 0;
	if (s[i] == 'T' || s[i] == 't')
		i++;
	else if (s[i] == ' ' || s[i] == '\t')
		i = resolve_span(s, i, n, " \t");
	else
		return 0;
	if (!resolve_digits(s, &i, n, 1, 2) || i >= n || s[i++] != ':' ||
	    !resolve_digits(s, &i, n, 2, 2) || i >= n || s[i++] != ':' ||
	    !resolve_digits(s, &i, n, 2, 2))
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		resolve_digits(s, &i, n, 0, 64);
	}
	i = resolve_span(s, i, n, " \t");
	if (i == n)
		return 1;
	if (s[i] == 'Z')
		return i + 1 == n;
	if (s[i] != '-' && s[i] != '+')
		return 0;
	i++;
	if (!resolve_digits(s, &i, n, 1, 2))
		return 0;
	if (i < n && s[i] == ':') {
		i++;
		if (!resolve_digits(s, &i, n, 2, 2))
			return 0;
	}
	return i == n;
}

/**
 * Copy text without underscores into a buffer.
 *
 * @v s         Text
 * @v n         Length
 * @v buf       Output
 * @v size      Size of output
 * @ret len     Length copied, or -ENOSPC when too long
 */
static int resolve_strip(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		if (k + 1 >= size)
			return -ENOSPC;
		buf[k++] = s[i];
	}
	buf[k] = '\0';
	return k;
}

/**
 * Compute a sexagesimal value "a:b:c" as a double.
 *
 * PyYAML adds the parts from the last one up (c + b*60 + a*3600), and
 * floating-point addition depends on that order, so this does the same.
 *
 * @v s         Digits and colons, no sign
 * @ret value   Value
 */
static double resolve_base60(const char *s)
{
	double parts[64], value = 0, base = 1;
	int n = 0;

	while (*s && n < 64) {
		char *end;

		parts[n++] = strtod(s, &end);
		if (*end != ':')
			break;
		s = end + 1;
	}
	while (n-- > 0) {
		value += parts[n] * base;
		base *= 60;
	}
	return value;
}

/**
 * Construct an int, the way PyYAML's construct_yaml_int does.
 *
 * @v v         Value
 */
static void resolve_construct_int(struct yv *v)
{
	char buf[128], *p, *end;
	int neg = 0, base = 10;
	unsigned long long u;

	v->type = YV_INT;
	v->nodigits = 0;
	if (resolve_strip(v->text, v->len, buf, sizeof(buf)) < 0) {
		v->big = 1;
		return;
	}
	p = buf;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	if (strchr(p, ':')) {
		long long value = 0;

		while (*p) {
			value = value * 60 + strtoll(p, &end, 10);
			p = (*end == ':') ? end + 1 : end;
			if (value > (1LL << 56)) {
				v->big = 1;
				return;
			}
		}
		v->i = neg ? -value : value;
		return;
	}
	if (p[0] == '0' && p[1] == 'b') {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1] == 'x') {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
	}
	/* "0b_": int('', 2) raises in PyYAML */
	v->nodigits = !*p;
	errno = 0;
	u = strtoull(p, &end, base);
	if (errno == ERANGE || u > (unsigned long long)LLONG_MAX) {
		v->big = 1;
		return;
	}
	v->i = neg ? -(long long)u : (long long)u;
}

/**
 * Construct a float, the way PyYAML's construct_yaml_float does.
 *
 * @v v         Value
 */
static void resolve_construct_float(struct yv *v)
{
	char buf[128], *p;
	int neg = 0, i;

	v->type = YV_FLOAT;
	if (resolve_strip(v->text, v->len, buf, sizeof(buf)) < 0) {
		v->f = strtod(v->text, NULL);
		return;
	}
	for (i = 0; buf[i]; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] += 'a' - 'A';
	p = buf;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	if (strcmp(p, ".inf") == 0)
		v->f = INFINITY;
	else if (strcmp(p, ".nan") == 0)
		v->f = NAN;
	else if (strchr(p, ':'))
		v->f = resolve_base60(p);
	else
		v->f = strtod(p, NULL);
	if (neg)
		v->f = -v->f;
}

int yaml_resolve_tagged_float(struct yv *v)
{
	char buf[128], *p, *end;
	int i;

	if (resolve_strip(v->text, v->len, buf, sizeof(buf)) < 0)
		return -EINVAL;
	for (i = 0; buf[i]; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] += 'a' - 'A';
	p = buf;
	if (*p == '-' || *p == '+')
		p++;
	if (strcmp(p, ".inf") && strcmp(p, ".nan") && !strchr(p, ':')) {
		size_t len;

		/* float(): surrounding blanks, decimal only (no hex), no
		 * C-only "nan(...)" */
		while (isspace((unsigned char)*p))
			p++;
		len = strlen(p);
		while (len && isspace((unsigned char)p[len - 1]))
			p[--len] = '\0';
		if (!*p || strpbrk(p, "x("))
			return -EINVAL;
		strtod(p, &end);
		if (*end)
			return -EINVAL;
	}
	resolve_construct_float(v);
	return 0;
}

void yaml_resolve_plain(struct yv *v)
{
	static const char *const bools[] = {
		"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
		"no", "No", "NO", "false", "False", "FALSE", "off", "Off",
		"OFF", NULL };
	static const char *const nulls[] = { "", "~", "null", "Null",
					     "NULL", NULL };
	const char *s = v->text;
	size_t n = v->len;
	int w;

	v->type = YV_STR;
	w = resolve_word(s, n, bools);
	if (w >= 0) {
		v->type = YV_BOOL;
		v->b = w < 9;
		return;
	}
	if (resolve_word(s, n, nulls) >= 0) {
		v->type = YV_NULL;
		return;
	}
	if (n == 0)
		return;
	if (strchr("-+0123456789.", s[0])) {
		if (resolve_is_float(s, n)) {
			resolve_construct_float(v);
			return;
		}
		if (s[0] != '.' && resolve_is_int(s, n)) {
			resolve_construct_int(v);
			return;
		}
	}
	if (s[0] >= '0' && s[0] <= '9' && resolve_is_timestamp(s, n))
		v->type = YV_TIMESTAMP;
}

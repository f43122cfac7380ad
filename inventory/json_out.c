/*
 * JSON output compatible with Python's json.dumps.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

void json_write_value(FILE *out, const struct yv *v);

/**
 * Decode one UTF-8 sequence.
 *
 * @v s         Bytes
 * @v len       Bytes left
 * @v cp        Code point
 * @ret used    Bytes used (1 for an invalid byte, decoded as U+FFFD)
 */
static size_t json_utf8_next(const unsigned char *s, size_t len,
			     unsigned int *cp)
{
	unsigned int c = s[0], need, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		need = 1;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		need = 2;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		need = 3;
		c &= 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len <= need) {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return need + 1;
}

void json_write_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		unsigned int cp;
		size_t run = i;

		/* Most text needs no escaping: write it in one piece */
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f &&
		       p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			fwrite(p + i, 1, run - i, out);
			i = run;
			continue;
		}
		i += json_utf8_next(p + i, len - i, &cp);
		switch (cp) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		default:
			/* ensure_ascii: only ' ' to '~' are written as is */
			if (cp < 0x20 || (cp > 0x7e && cp < 0x10000))
				fprintf(out, "\\u%04x", cp);
			else if (cp >= 0x10000)
				fprintf(out, "\\u%04x\\u%04x",
					0xd800 + ((cp - 0x10000) >> 10),
					0xdc00 + ((cp - 0x10000) & 0x3ff));
			else
				fputc(cp, out);
		}
	}
	fputc('"', out);
}

/**
 * Write an integer too large for 64 bits in decimal, converting from the
 * base PyYAML would read it in (decimal, 0x, 0b, leading-0 octal, or
 * sexagesimal a:b:c).
 *
 * @v out       Stream
 * @v text      Scalar text
 * @v len       Length
 */
static void json_write_bigint(FILE *out, const char *text, size_t len)
{
	unsigned int limb[64] = { 0 };  /* base 1e9, little-endian */
	int nlimb = 1, i, neg = 0, colon = 0;
	unsigned int base = 10;
	size_t p = 0;

	if (p < len && (text[p] == '-' || text[p] == '+'))
		neg = (text[p++] == '-');
	if (memchr(text, ':', len)) {
		base = 60;
	} else if (len - p > 2 && text[p] == '0' && text[p + 1] == 'x') {
		base = 16;
		p += 2;
	} else if (len - p > 2 && text[p] == '0' && text[p + 1] == 'b') {
		base = 2;
		p += 2;
	} else if (len - p > 1 && text[p] == '0') {
		base = 8;
	}
	while (p < len) {
		unsigned long long carry;
		unsigned int digit = 0, mul = base;
		char c = text[p++];

		if (c == '_')
			continue;
		if (base == 60 && !colon) {
			/* The first group is decimal, of any length */
			if (c == ':') {
				colon = 1;
				continue;
			}
			digit = c - '0';
			mul = 10;
		} else if (base == 60) {
			/* One sexagesimal group: decimal digits up to ':' */
			if (c == ':')
				continue;
			digit = c - '0';
			if (p < len && text[p] != ':' && text[p] != '_')
				digit = digit * 10 + (text[p++] - '0');
		} else if (c >= '0' && c <= '9') {
			digit = c - '0';
		} else {
			digit = (c | 0x20) - 'a' + 10;
		}
		carry = digit;
		for (i = 0; i < nlimb; i++) {
			carry += (unsigned long long)limb[i] * mul;
			limb[i] = carry % 1000000000u;
			carry /= 1000000000u;
		}
		while (carry && nlimb < 64) {
			limb[nlimb++] = carry % 1000000000u;
			carry /= 1000000000u;
		}
	}
	while (nlimb > 1 && limb[nlimb - 1] == 0)
		nlimb--;
	if (neg && (nlimb > 1 || limb[0]))
		fputc('-', out);
	fprintf(out, "%u", limb[nlimb - 1]);
	for (i = nlimb - 2; i >= 0; i--)
		fprintf(out, "%09u", limb[i]);
}

/**
 * Find the shortest decimal digits that read back as a value, as Python's
 * repr() does.
 *
 * "%.*e" rounds correctly, so its digits are the nearest of their length.
 * Just above a power of two, though, the gap to the next double below is
 * half the gap above: the nearest string can then miss while its upper
 * neighbour of the same length reads back, and Python uses that one.
 *
 * @v f         Finite value, not negative
 * @v digits    Output, at least 24 bytes; no trailing zeros
 * @v nd        Number of digits
 * @ret exp     Decimal exponent of the first digit
 */
static int json_float_digits(double f, char *digits, int *nd)
{
	char buf[64], *e, *p;
	unsigned long long m;
	int prec, exp, scale = 0, k, n = 0;

	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, f);
		e = strchr(buf, 'e');
		scale = atoi(e + 1) - prec;
		if (strtod(buf, NULL) == f)
			break;
		for (m = 0, p = buf; p < e; p++)
			if (*p != '.')
				m = m * 10 + (*p - '0');
		for (k = -1; k <= 1; k += 2) {
			if (m + k == 0)
				continue;
			snprintf(buf, sizeof(buf), "%llue%d", m + k, scale);
			if (strtod(buf, NULL) == f)
				goto found;
		}
	}
	if (prec == 17) {
		/* Never reached: 17 digits always read back */
		snprintf(buf, sizeof(buf), "%.16e", f);
		scale = atoi(strchr(buf, 'e') + 1) - 16;
	}
found:
	for (p = buf; *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	exp = scale + n - 1;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*nd = n;
	return exp;
}

void json_write_float(FILE *out, double f)
{
	char digits[32];
	int exp, nd, i;

	if (isnan(f)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(f)) {
		fputs(f < 0 ? "-Infinity" : "Infinity", out);
		return;
	}
	/* Shortest digits that read back as the same double */
	exp = json_float_digits(fabs(f), digits, &nd);
	if (f < 0 || (f == 0 && signbit(f)))
		fputc('-', out);
	if (exp < -4 || exp >= 16) {
		fputc(digits[0], out);
		if (nd > 1)
			fprintf(out, ".%s", digits + 1);
		fprintf(out, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
	} else if (exp < 0) {
		fputs("0.", out);
		for (i = 0; i < -exp - 1; i++)
			fputc('0', out);
		fputs(digits, out);
	} else {
		for (i = 0; i <= exp; i++)
			fputc(i < nd ? digits[i] : '0', out);
		fputc('.', out);
		if (nd > exp + 1)
			fputs(digits + exp + 1, out);
		else
			fputc('0', out);
	}
}

void json_write_key(FILE *out, const struct yv *k)
{
	switch (k->type) {
	case YV_STR:
	case YV_TIMESTAMP:
		json_write_string(out, k->text, k->len);
		break;
	case YV_NULL:
		fputs("\"null\"", out);
		break;
	case YV_BOOL:
		fputs(k->b ? "\"true\"" : "\"false\"", out);
		break;
	default:
		fputc('"', out);
		json_write_value(out, k);
		fputc('"', out);
	}
}

void json_write_value(FILE *out, const struct yv *v)
{
	size_t i;

	switch (v->type) {
	case YV_NULL:
		fputs("null", out);
		break;
	case YV_BOOL:
		fputs(v->b ? "true" : "false", out);
		break;
	case YV_INT:
		if (v->big)
			json_write_bigint(out, v->text, v->len);
		else
			fprintf(out, "%lld", v->i);
		break;
	case YV_FLOAT:
		json_write_float(out, v->f);
		break;
	case YV_STR:
	case YV_TIMESTAMP:
		json_write_string(out, v->text, v->len);
		break;
	case YV_SEQ:
		fputc('[', out);
		for (i = 0; i < v->n; i++) {
			if (i)
				fputs(", ", out);
			json_write_value(out, v->items[i]);
		}
		fputc(']', out);
		break;
	case YV_MAP:
		/* Duplicate keys: the last value, at the first position */
		fputc('{', out);
		for (i = 0; i < v->n; i++) {
			const struct yv *k = v->pairs[i].key;
			const struct yv *val = v->pairs[i].val;
			size_t j;
			int first = 1;

			for (j = 0; j < i && first; j++)
				if (v->pairs[j].key->len == k->len &&
				    memcmp(v->pairs[j].key->text, k->text,
					   k->len) == 0)
					first = 0;
			if (!first)
				continue;
			for (j = i + 1; j < v->n; j++)
				if (v->pairs[j].key->len == k->len &&
				    memcmp(v->pairs[j].key->text, k->text,
					   k->len) == 0)
					val = v->pairs[j].val;
			if (i)
				fputs(", ", out);
			json_write_key(out, k);
			fputs(": ", out);
			json_write_value(out, val);
		}
		fputc('}', out);
		break;
	}
}

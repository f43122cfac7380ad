/*
 * pxeinv state: the journal (see journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

/** A line being built */
struct jline {
	char *buf;
	size_t len;
	int full;               /**< a field did not fit */
};

/**
 * Append raw text.
 *
 * @v j         Line
 * @v s         Text
 * @v n         Length
 */
static void jl_raw(struct jline *j, const char *s, size_t n)
{
	/* keep room for "}\n" */
	if (j->full || j->len + n + 2 >= JOURNAL_LINE_MAX) {
		j->full = 1;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

/**
 * Append a key and a string value (NULL or "" writes null).
 *
 * @v j         Line
 * @v key       Key
 * @v val       Value, or NULL
 */
static void jl_str(struct jline *j, const char *key, const char *val)
{
	char esc[8];

	jl_raw(j, j->len > 1 ? ",\"" : "\"", j->len > 1 ? 2 : 1);
	jl_raw(j, key, strlen(key));
	jl_raw(j, "\":", 2);
	if (!val || !*val) {
		jl_raw(j, "null", 4);
		return;
	}
	jl_raw(j, "\"", 1);
	for (; *val; val++) {
		unsigned char c = *val;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			jl_raw(j, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jl_raw(j, esc, 6);
		} else {
			jl_raw(j, (const char *)&c, 1);
		}
	}
	jl_raw(j, "\"", 1);
}

/**
 * Append a key and a number.
 *
 * @v j         Line
 * @v key       Key
 * @v val       Value
 */
static void jl_num(struct jline *j, const char *key, long long val)
{
	char num[32];

	jl_raw(j, j->len > 1 ? ",\"" : "\"", j->len > 1 ? 2 : 1);
	jl_raw(j, key, strlen(key));
	jl_raw(j, "\":", 2);
	snprintf(num, sizeof(num), "%lld", val);
	jl_raw(j, num, strlen(num));
}

/**
 * Start a line with its time fields.
 *
 * @v j         Line
 * @v buf       Buffer
 * @v now       Time
 * @v event     Event name
 */
static void jl_start(struct jline *j, char *buf, long long now,
		     const char *event)
{
	char iso[32];
	time_t t = now;
	struct tm tm;

	j->buf = buf;
	j->len = 0;
	j->full = 0;
	jl_raw(j, "{", 1);
	jl_num(j, "ts", now);
	if (gmtime_r(&t, &tm))
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		iso[0] = '\0';
	jl_str(j, "time", iso);
	jl_str(j, "event", event);
}

/**
 * Close a line.
 *
 * @v j         Line
 * @ret len     Length
 */
static size_t jl_end(struct jline *j)
{
	j->buf[j->len++] = '}';
	j->buf[j->len++] = '\n';
	return j->len;
}

size_t journal_format(const struct event *ev, char *buf)
{
	struct jline j;
	char pass;

	/* the second pass drops the free text if the line was too long
	 * (it cannot be, with the field limits in event.h) */
	for (pass = 0; pass < 2; pass++) {
		jl_start(&j, buf, ev->now, event_action_name(ev->action));
		jl_str(&j, "stage", ev->stage);
		jl_str(&j, "node", ev->action == EVENT_TFTP ? ev->file_node :
		       ev->node);
		jl_str(&j, "install", ev->install);
		jl_str(&j, "mac", ev->mac);
		jl_str(&j, "ip", ev->ip);
		jl_str(&j, "arch", pxeinv_arch_name(ev->arch));
		jl_str(&j, "vendor_class", pass ? NULL : ev->vendor_class);
		jl_str(&j, "user_class", pass ? NULL : ev->user_class);
		jl_str(&j, "serial", ev->serial);
		jl_str(&j, "board_serial", ev->board_serial);
		jl_str(&j, "hostname", pass ? NULL : ev->hostname);
		jl_str(&j, "file", ev->file);
		if (ev->action == EVENT_TFTP) {
			jl_num(&j, "size", ev->size);
			if (ev->peer[0])
				jl_str(&j, "peer", ev->peer);
		}
		/* IPv6 only: IPv4 lines stay as they were */
		if (ev->ipv6) {
			jl_str(&j, "family", "ipv6");
			if (ev->action != EVENT_TFTP) {
				jl_str(&j, "duid", ev->duid);
				jl_str(&j, "iaid", ev->iaid);
			}
		}
		if (!j.full)
			break;
	}
	return jl_end(&j);
}

size_t journal_format_note(const char *event, const char *node, long long now,
			   char *buf)
{
	struct jline j;

	jl_start(&j, buf, now, event);
	jl_str(&j, "stage", NULL);
	jl_str(&j, "node", node);
	return jl_end(&j);
}

/**
 * Rotate the journal when a line would take it past its limit.
 *
 * @v dirfd     State directory
 * @v fd        Journal, open; replaced by the new one on rotation
 * @v len       Line length
 * @v max       Limit
 * @ret rc      0 or -errno
 */
static int journal_rotate(int dirfd, int *fd, size_t len, long long max)
{
	struct stat st;
	int nfd;

	if (fstat(*fd, &st) != 0)
		return -errno;
	if (st.st_size == 0 || st.st_size + (long long)len <= max)
		return 0;
	if (renameat(dirfd, JOURNAL_FILE, dirfd, JOURNAL_OLD) != 0)
		return -errno;
	nfd = openat(dirfd, JOURNAL_FILE, O_RDWR | O_APPEND | O_CREAT |
		     O_CLOEXEC | O_NOFOLLOW, 0644);
	if (nfd < 0)
		return -errno;
	close(*fd);
	*fd = nfd;
	return 0;
}

int journal_append(int dirfd, const char *line, size_t len, long long max)
{
	char buf[JOURNAL_LINE_MAX + 1];
	struct stat st;
	size_t off = 1;
	ssize_t n;
	char last;
	int fd, rc = 0;

	if (len == 0 || len >= JOURNAL_LINE_MAX || line[len - 1] != '\n')
		return -EINVAL;
	fd = openat(dirfd, JOURNAL_FILE, O_RDWR | O_APPEND | O_CREAT |
		    O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if ((rc = journal_rotate(dirfd, &fd, len, max)) != 0)
		goto out;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	/* a line cut short before (a full disk, a crash) has no newline:
	 * end it in the same write, so that only it is lost, not ours */
	buf[0] = '\n';
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 &&
	    last != '\n')
		off = 0;
	memcpy(buf + 1, line, len);
	do {
		n = write(fd, buf + off, len + 1 - off);
	} while (n < 0 && errno == EINTR);
	/* cut short: the torn line stays, for readers to skip; cutting it
	 * back to a size taken before the write would take with it what
	 * another writer appended meanwhile */
	if (n != (ssize_t)(len + 1 - off))
		rc = n < 0 ? -errno : -ENOSPC;
out:
	close(fd);
	return rc;
}

/**
 * Parse a JSON string at *p (after its opening quote).
 *
 * @v p         Position, moved past the closing quote
 * @v end       End of input
 * @v out       Output, or NULL to skip
 * @v size      Size of out
 * @ret rc      0 or -EINVAL
 */
static int journal_parse_string(const char **p, const char *end, char *out,
				size_t size)
{
	size_t n = 0;

	while (*p < end && **p != '"') {
		unsigned int c = (unsigned char)**p;

		(*p)++;
		if (c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (*p >= end)
				return -EINVAL;
			c = (unsigned char)*(*p)++;
			switch (c) {
			case '"': case '\\': case '/':
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'u': {
				char hex[5];

				if (end - *p < 4)
					return -EINVAL;
				memcpy(hex, *p, 4);
				hex[4] = '\0';
				if (strspn(hex, "0123456789abcdefABCDEF") != 4)
					return -EINVAL;
				c = strtoul(hex, NULL, 16);
				*p += 4;
				if (c >= 0x80)
					c = '?';
				break;
			}
			default:
				return -EINVAL;
			}
		}
		if (out && n + 1 < size)
			out[n++] = c;
	}
	if (*p >= end)
		return -EINVAL;
	(*p)++;
	if (out && size)
		out[n] = '\0';
	return 0;
}

/**
 * Find the field a key is stored in.
 *
 * @v rec       Record
 * @v key       Key
 * @v size      Size of the field
 * @ret field   Field, or NULL for keys we do not keep
 */
static char *journal_field(struct journal_rec *rec, const char *key,
			   size_t *size)
{
#define F(name) if (strcmp(key, #name) == 0) { \
		*size = sizeof(rec->name); return rec->name; }
	F(event) F(stage) F(node) F(install) F(mac) F(ip) F(arch)
	F(vendor_class) F(user_class) F(serial) F(board_serial) F(hostname)
	F(file) F(peer) F(family) F(duid) F(iaid)
#undef F
	return NULL;
}

int journal_parse(const char *line, size_t len, struct journal_rec *rec)
{
	const char *p = line, *end = line + len;
	char key[32];

	memset(rec, 0, sizeof(*rec));
	if (p >= end || *p++ != '{')
		return -EINVAL;
	for (;;) {
		char *field;
		size_t size = 0;

		if (p >= end || *p++ != '"')
			return -EINVAL;
		if (journal_parse_string(&p, end, key, sizeof(key)) != 0)
			return -EINVAL;
		if (p >= end || *p++ != ':' || p >= end)
			return -EINVAL;
		field = journal_field(rec, key, &size);
		if (*p == '"') {
			p++;
			if (journal_parse_string(&p, end, field, size) != 0)
				return -EINVAL;
		} else if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
			p += 4;
		} else if (*p >= '0' && *p <= '9') {
			long long v = 0;
			int digits = 0;

			/* 18 digits, as the hook and kv_get_num() take:
			 * a longer number is refused, not cut */
			while (p < end && *p >= '0' && *p <= '9') {
				if (++digits > JOURNAL_NUM_DIGITS)
					return -EINVAL;
				v = v * 10 + (*p++ - '0');
			}
			if (strcmp(key, "ts") == 0)
				rec->ts = v;
		} else {
			return -EINVAL;
		}
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}' && p + 1 == end)
			break;
		return -EINVAL;
	}
	return rec->event[0] && rec->ts > 0 ? 0 : -EINVAL;
}

/**
 * Walk one journal file.
 *
 * @v dirfd     State directory
 * @v name      File
 * @v fn        Function
 * @v ctx       Context
 * @v bad       Lines that did not parse
 * @ret rc      0, 1 when fn stopped the walk, or -errno
 */
static int journal_walk_file(int dirfd, const char *name,
			     int (*fn)(const struct journal_rec *, void *),
			     void *ctx, size_t *bad)
{
	struct journal_rec *rec;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd, rc = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	rec = malloc(sizeof(*rec));
	if (!rec) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		/* a line without its newline is being written, or was cut */
		if (line[n - 1] != '\n' ||
		    journal_parse(line, n - 1, rec) != 0) {
			(*bad)++;
			continue;
		}
		if (fn(rec, ctx)) {
			rc = 1;
			break;
		}
	}
	free(line);
	free(rec);
	fclose(f);
	return rc;
}

int journal_walk(int dirfd, int (*fn)(const struct journal_rec *rec,
				      void *ctx),
		 void *ctx, size_t *bad)
{
	size_t dummy = 0;
	int rc_old, rc;

	if (!bad)
		bad = &dummy;
	*bad = 0;
	rc_old = journal_walk_file(dirfd, JOURNAL_OLD, fn, ctx, bad);
	if (rc_old == 1)
		return 0;
	rc = journal_walk_file(dirfd, JOURNAL_FILE, fn, ctx, bad);
	if (rc < 0 && rc_old < 0)
		return rc;
	return 0;
}

/* test_log.c - src/core/log.c: every %s field is escaped (control
 * characters, quotes, backslashes), so that no logged value can forge a
 * line or end its field; the other conversions print as printf() would. */
#include "test.h"
#include "core/log.h"
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

/* Runs one log call with stderr sent to a temporary file; its text (static). */
static const char *captured(void (*call)(void))
{
	static char text[8192];
	char path[] = "/tmp/clr-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	text[0] = 0;
	if (fd < 0 || saved < 0)
		return text;
	fflush(stderr);
	dup2(fd, 2);
	call();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	text[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	return text;
}

/* The line without its "ts=... level=... " prefix. */
static const char *body(const char *line)
{
	const char *p = strstr(line, "level=");
	p = p ? strchr(p, ' ') : NULL;
	return p ? p + 1 : line;
}

static void forged(void)
{
	log_warn("msg=\"csrf refused\" path=%s", "/x\nts=2030-01-01T00:00:00.000Z level=error msg=\"forged\"");
}

TEST(log_escapes_control_characters_and_quotes)
{
	const char *t = captured(forged);
	CHECK(strchr(t, '\n') == t + strlen(t) - 1); /* one line */
	CHECK_STR(body(t), "msg=\"csrf refused\" path=/x\\nts=2030-01-01T00:00:00.000Z\\x20level=error\\x20msg=\\\"forged\\\"\n");
}

static void mixed(void)
{
	log_info("msg=\"%s\" a=%s n=%d ll=%lld z=%zu u=%u f=%.2f c=%c p=%% s3=%.3s s2=%.*s", "dit \"oui\" \\ non",
		 "tab\there\r\x01\x7f\xc3\xa9", -42, 123456789012LL, (size_t)7, 8u, 1.5, 'k', "abcdef", 2, "xyz");
}

TEST(log_other_conversions_unchanged)
{
	const char *t = captured(mixed);
	CHECK_STR(body(t), "msg=\"dit \\\"oui\\\" \\\\ non\" a=tab\\there\\r\\x01\\x7f\xc3\xa9 n=-42 ll=123456789012 z=7 u=8 "
			   "f=1.50 c=k p=% s3=abc s2=xy\n");
}

static void longline(void)
{
	char big[5000];
	memset(big, '\n', sizeof big - 1);
	big[sizeof big - 1] = 0;
	log_warn("msg=\"%s\" end=1", big);
}

TEST(log_long_values_stay_one_line)
{
	const char *t = captured(longline);
	size_t n = strlen(t);
	CHECK(n > 100 && n <= 2048);
	CHECK(strchr(t, '\n') == t + n - 1);
}

static void forged_json(void)
{
	log_set_json(1);
	forged();
	log_set_json(0);
}

TEST(log_json_one_object_with_the_value_kept)
{
	const char *t = captured(forged_json);
	const char *b = strstr(t, "\"level\":\"warn\",");
	CHECK(strncmp(t, "{\"ts\":\"", 7) == 0);
	CHECK(b != NULL);
	CHECK_STR(b, "\"level\":\"warn\",\"msg\":\"csrf refused\","
		     "\"path\":\"/x\\nts=2030-01-01T00:00:00.000Z\\u0020level=error\\u0020msg=\\\"forged\\\"\"}\n");
}

static void mixed_json(void)
{
	log_set_json(1);
	mixed();
	log_info("msg=\"handler failed\" path=%s rc=%d (%s) bad=%s z=007", "/a b", -4, "database error", "\xff\xc3\xa9");
	log_set_json(0);
}

TEST(log_json_numbers_escapes_and_loose_words)
{
	const char *t = captured(mixed_json);
	const char *l2 = strchr(t, '\n');
	CHECK(l2 != NULL);
	const char *b = strstr(t, "\"level\":\"info\",");
	CHECK(b != NULL && b < l2);
	/* \x01 and \x7f become \u0001 and \u007f; numbers stay numbers; é passes */
	CHECK(strncmp(b, "\"level\":\"info\",\"msg\":\"dit \\\"oui\\\" \\\\ non\",\"a\":\"tab\\there\\r\\u0001\\u007f\xc3\xa9\","
			 "\"n\":-42,\"ll\":123456789012,\"z\":7,\"u\":8,\"f\":1.50,\"c\":\"k\",\"p\":\"%\",\"s3\":\"abc\","
			 "\"s2\":\"xy\"}\n",
		      (size_t)(l2 + 1 - b)) == 0);
	const char *b2 = strstr(l2, "\"level\":\"info\",");
	/* a bare value's spaces are escaped; a word that is not key=value joins
	 * the value before it; invalid UTF-8
	 * becomes U+FFFD; 007 is not a JSON number */
	CHECK_STR(b2, "\"level\":\"info\",\"msg\":\"handler failed\",\"path\":\"/a\\u0020b\",\"rc\":\"-4 (database error)\","
		      "\"bad\":\"\\ufffd\xc3\xa9\",\"z\":\"007\"}\n");
}

/* SPDX-License-Identifier: MIT */
/* util/log: sinks, levels, the rate limiter for guest-triggerable lines, journal prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/log.h"
#include "util/os.h"

struct captured {
   int count;
   enum pv_log_level last_level;
   char last[1024];
};

static void
capture(void *data, enum pv_log_level level, const char *message)
{
   struct captured *c = data;
   c->count++;
   c->last_level = level;
   snprintf(c->last, sizeof(c->last), "%s", message);
}

static void
test_sink_and_level(void **state)
{
   (void)state;
   struct captured c = {0};
   pv_log_set_sink(capture, &c);
   pv_log_set_level(PV_LOG_WARN);
   pv_info("dropped %d", 1);
   pv_warn("kept %d", 2);
   assert_int_equal(c.count, 1);
   assert_int_equal(c.last_level, PV_LOG_WARN);
   assert_string_equal(c.last, "kept 2");
   /* a guest's string cannot forge a line or reach a terminal as an escape sequence */
   pv_warn("client '%s' connected", "x\nfake line\x1b[2J\x7f\tend \xc3\xa9");
   assert_string_equal(c.last, "client 'x?fake line?[2J??end \xc3\xa9' connected");
   pv_log_set_sink(NULL, NULL);
   pv_log_set_level(PV_LOG_INFO);
}

static void
test_rate_limit(void **state)
{
   (void)state;
   struct captured c = {0};
   pv_log_set_sink(capture, &c);
   struct pv_log_ratelimit rl = {0};
   for (int i = 0; i < 100; i++)
      pv_log_ratelimited(&rl, PV_LOG_WARN, "guest mistake %d", i);
   assert_int_equal(c.count, (int)PV_LOG_RATELIMIT_BURST);
   /* The window ends: the next line goes out and says how many were held back. */
   rl.window_start_ns = pv_os_time_ns() - PV_LOG_RATELIMIT_INTERVAL_NS - 1;
   pv_log_ratelimited(&rl, PV_LOG_WARN, "guest mistake %d", 100);
   assert_int_equal(c.count, (int)PV_LOG_RATELIMIT_BURST + 1);
   assert_string_equal(c.last, "guest mistake 100 (90 similar lines suppressed)");
   /* The macro keeps one budget per call site. */
   c.count = 0;
   for (int i = 0; i < 50; i++)
      pv_warn_limited("site A %d", i);
   for (int i = 0; i < 50; i++)
      pv_warn_limited("site B %d", i);
   assert_int_equal(c.count, 2 * (int)PV_LOG_RATELIMIT_BURST);
   pv_log_set_sink(NULL, NULL);
}

/* stderr redirected to a file that JOURNAL_STREAM names gets "<N>" syslog priorities; once
 * JOURNAL_STREAM names something else, plain lines. */
static void
test_journal_prefix(void **state)
{
   (void)state;
   char path[] = "/tmp/pv-test-log-XXXXXX";
   int fd = mkstemp(path);
   assert_true(fd >= 0);
   int saved = dup(STDERR_FILENO);
   dup2(fd, STDERR_FILENO);
   struct stat st;
   fstat(STDERR_FILENO, &st);
   char env[64];
   snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
            (unsigned long long)st.st_ino);
   setenv("JOURNAL_STREAM", env, 1);
   pv_err("to the journal");
   setenv("JOURNAL_STREAM", "1:1", 1);
   pv_err("not the journal");
   fflush(stderr);
   dup2(saved, STDERR_FILENO);
   close(saved);
   unsetenv("JOURNAL_STREAM");
   char buf[512] = {0};
   FILE *f = fopen(path, "r");
   assert_non_null(f);
   size_t n = fread(buf, 1, sizeof(buf) - 1, f);
   fclose(f);
   close(fd);
   unlink(path);
   buf[n] = '\0';
   char first[256], second[256];
   assert_int_equal(sscanf(buf, "%255[^\n]\n%255[^\n]", first, second), 2);
   assert_true(!strncmp(first, "<3>pearvisor-gpu[", 17));
   assert_non_null(strstr(first, "] error: to the journal"));
   assert_true(!strncmp(second, "pearvisor-gpu[", 14));
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sink_and_level),
      cmocka_unit_test(test_rate_limit),
      cmocka_unit_test(test_journal_prefix),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}

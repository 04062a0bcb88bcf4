/* SPDX-License-Identifier: MIT */
/*
 * Guest-triggerable log lines are rate-limited (issue 12): a call site writes at most
 * PV_LOG_LIMIT_BURST lines per window however often the guest makes it fire, and the first line
 * of a later window says how many were dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/log.h"
#include "util/log_limit.h"

/* Runs `n` refusals through one call site with stderr going to a file; returns what was written. */
static char *
capture(struct pv_log_limit *site, unsigned n)
{
   fflush(stderr);
   FILE *tmp = tmpfile();
   assert_non_null(tmp);
   int saved = dup(STDERR_FILENO);
   dup2(fileno(tmp), STDERR_FILENO);
   for (unsigned i = 0; i < n; i++)
      pv_log_limited(site, PV_LOG_WARN, "refused request %u", i);
   fflush(stderr);
   dup2(saved, STDERR_FILENO);
   close(saved);
   fseek(tmp, 0, SEEK_END);
   long size = ftell(tmp);
   assert_true(size >= 0);
   rewind(tmp);
   char *text = calloc(1, (size_t)size + 1);
   assert_non_null(text);
   assert_int_equal(fread(text, 1, (size_t)size, tmp), (size_t)size);
   fclose(tmp);
   return text;
}

static unsigned
lines(const char *s)
{
   unsigned n = 0;
   for (; *s; s++)
      n += *s == '\n';
   return n;
}

static void
test_burst_then_quiet(void **state)
{
   (void)state;
   struct pv_log_limit site = {0};
   char *out = capture(&site, 100000);
   assert_int_equal(lines(out), PV_LOG_LIMIT_BURST);
   assert_non_null(strstr(out, "refused request 0"));
   assert_null(strstr(out, "refused request 10\n"));
   free(out);
   /* the next window: lines again, the first one counting what was dropped */
   site.window_start_ns -= PV_LOG_LIMIT_WINDOW_NS;
   out = capture(&site, 3);
   assert_int_equal(lines(out), 3);
   assert_non_null(strstr(out, "(99990 similar lines dropped)"));
   free(out);
}

static void
test_sites_are_separate(void **state)
{
   (void)state;
   struct pv_log_limit a = {0}, b = {0};
   char *out = capture(&a, 50);
   free(out);
   out = capture(&b, 2);
   assert_int_equal(lines(out), 2);
   free(out);
}

int
main(void)
{
   pv_log_set_level(PV_LOG_INFO);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_burst_then_quiet),
      cmocka_unit_test(test_sites_are_separate),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}

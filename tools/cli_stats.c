/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu stats`: asks a running server's control socket what its clients are doing. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: a server gone mid-request then raises SIGPIPE, ignored below */
#endif
#include "stats_format.h"
#include "vtest/control.h"

enum stats_output { OUT_TABLE, OUT_JSON, OUT_PROMETHEUS };

struct stats_options {
   char control[108];
   enum stats_output output;
   const char *prometheus_file; /* NULL: stdout */
   bool watch;
   double interval_s;
   unsigned long count; /* --watch iterations; 0: until interrupted */
};

static void
stats_usage(FILE *f)
{
   char path[108];
   vtest_control_default_path(path, sizeof(path));
   fprintf(f,
           "usage: pearvisor-gpu stats [options]\n"
           "\n"
           "Shows what every client of a running `pearvisor-gpu serve` is doing: guest process\n"
           "name, wire format, process, uptime, Venus commands decoded (total and per second),\n"
           "bytes in, replies, ring wake-ups and idle transitions, live objects by type, device\n"
           "memory and blob bytes against their quotas, whether its context is lost and why,\n"
           "the last command. Clients that left recently are listed with why they left.\n"
           "\n"
           "  -c, --control=PATH      the server's control socket (default %s,\n"
           "                          as `serve` prints at start)\n"
           "  -j, --json              JSON for scripts\n"
           "  -p, --prometheus[=FILE] Prometheus text exposition format; with FILE, written\n"
           "                          atomically (temporary file, then rename) for\n"
           "                          node-exporter's textfile collector\n"
           "  -w, --watch             repeat every --interval; the table redraws like top\n"
           "  -i, --interval=SECONDS  --watch period (default 1; fractions allowed)\n"
           "  -n, --count=N           with --watch: stop after N rounds\n"
           "  -h, --help              this text\n"
           "\n" PV_CLI_EXIT_CODES,
           path);
}

static const struct option stats_opts[] = {
   {"control", required_argument, NULL, 'c'},
   {"json", no_argument, NULL, 'j'},
   {"prometheus", optional_argument, NULL, 'p'},
   {"watch", no_argument, NULL, 'w'},
   {"interval", required_argument, NULL, 'i'},
   {"count", required_argument, NULL, 'n'},
   {"help", no_argument, NULL, 'h'},
   {0},
};

/* 0, 1 (--help) or -1 (bad command line, said). */
static int
parse_stats_options(int argc, char **argv, struct stats_options *o)
{
   int c;
   while ((c = getopt_long(argc, argv, "c:jp::wi:n:h", stats_opts, NULL)) != -1) {
      char *end;
      switch (c) {
      case 'h':
         return 1;
      case 'c':
         if (snprintf(o->control, sizeof(o->control), "%s", optarg) >= (int)sizeof(o->control)) {
            fprintf(stderr, "pearvisor-gpu stats: control socket path too long\n");
            return -1;
         }
         break;
      case 'j':
         o->output = OUT_JSON;
         break;
      case 'p':
         o->output = OUT_PROMETHEUS;
         o->prometheus_file = optarg;
         break;
      case 'w':
         o->watch = true;
         break;
      case 'i':
         errno = 0;
         o->interval_s = strtod(optarg, &end);
         if (errno || *end || !(o->interval_s >= 0.05 && o->interval_s <= 86400)) {
            fprintf(stderr, "pearvisor-gpu stats: bad interval '%s' (0.05 to 86400 s)\n", optarg);
            return -1;
         }
         break;
      case 'n': {
         uint64_t n;
         if (!pv_cli_parse_size(optarg, &n)) {
            fprintf(stderr, "pearvisor-gpu stats: bad count '%s'\n", optarg);
            return -1;
         }
         o->count = (unsigned long)n;
         break;
      }
      default:
         return -1;
      }
   }
   if (optind < argc) {
      fprintf(stderr, "pearvisor-gpu stats: unexpected argument '%s'\n", argv[optind]);
      return -1;
   }
   return 0;
}

/* The server's whole reply to "stats", NUL-terminated (malloc'ed), or NULL (said why). */
static char *
ask_server(const char *path)
{
   struct sockaddr_un addr = {.sun_family = AF_UNIX};
   snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
   int fd = socket(AF_UNIX, SOCK_STREAM, 0);
   if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
      fprintf(stderr,
              "pearvisor-gpu stats: no server answers on %s: %s (is `pearvisor-gpu serve` "
              "running as this user? --control names another socket)\n",
              path, strerror(errno));
      if (fd >= 0)
         close(fd);
      return NULL;
   }
   signal(SIGPIPE, SIG_IGN);
   struct timeval tv = {5, 0};
   setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
   size_t len = 0, cap = 65536;
   char *buf = malloc(cap);
   bool ok = buf && send(fd, "stats\n", 6, MSG_NOSIGNAL) == 6;
   while (ok) {
      if (len + 1 == cap) {
         char *n = realloc(buf, cap * 2);
         ok = n != NULL;
         if (!ok)
            break;
         buf = n;
         cap *= 2;
      }
      ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
      if (r < 0 && errno == EINTR)
         continue;
      if (r <= 0) {
         ok = r == 0;
         break;
      }
      len += (size_t)r;
   }
   close(fd);
   if (!ok) {
      fprintf(stderr, "pearvisor-gpu stats: reading from %s failed\n", path);
      free(buf);
      return NULL;
   }
   buf[len] = '\0';
   if (!strncmp(buf, "error ", 6)) {
      fprintf(stderr, "pearvisor-gpu stats: the server says: %s", buf + 6);
      free(buf);
      return NULL;
   }
   return buf;
}

/* One round: ask, parse, print. */
static int
show_once(const struct stats_options *o)
{
   char *reply = ask_server(o->control);
   if (!reply)
      return PV_EXIT_FAILURE;
   struct vtest_stats_record *recs;
   size_t n;
   char err[256];
   bool ok = pv_stats_parse_reply(reply, &recs, &n, err, sizeof(err));
   free(reply);
   if (!ok) {
      fprintf(stderr, "pearvisor-gpu stats: %s\n", err);
      return PV_EXIT_FAILURE;
   }
   int ret = PV_EXIT_OK;
   if (o->output == OUT_TABLE) {
      if (o->watch) /* home, clear: redraw in place like top */
         fputs("\033[H\033[2J", stdout);
      pv_stats_print_table(stdout, recs, n);
   } else if (o->output == OUT_JSON) {
      pv_stats_print_json(stdout, recs, n);
   } else if (!o->prometheus_file) {
      pv_stats_print_prometheus(stdout, recs, n);
   } else if (pv_stats_write_prometheus_file(o->prometheus_file, recs, n) != 0) {
      fprintf(stderr, "pearvisor-gpu stats: cannot write %s: %s\n", o->prometheus_file,
              strerror(errno));
      ret = PV_EXIT_FAILURE;
   }
   fflush(stdout);
   free(recs);
   return ret;
}

static volatile sig_atomic_t g_interrupted;

static void
on_interrupt(int sig)
{
   (void)sig;
   g_interrupted = 1;
}

int
pv_cli_stats(int argc, char **argv)
{
   struct stats_options o = {.output = OUT_TABLE, .interval_s = 1.0};
   vtest_control_default_path(o.control, sizeof(o.control));
   int parsed = parse_stats_options(argc, argv, &o);
   if (parsed) {
      if (parsed > 0) {
         stats_usage(stdout);
         return PV_EXIT_OK;
      }
      fprintf(stderr, "Try 'pearvisor-gpu stats --help'.\n");
      return PV_EXIT_USAGE;
   }
   if (!o.watch)
      return show_once(&o);
   signal(SIGINT, on_interrupt);
   signal(SIGTERM, on_interrupt);
   struct timespec pause = {(time_t)o.interval_s,
                            (long)((o.interval_s - (double)(time_t)o.interval_s) * 1e9)};
   for (unsigned long round = 1; !g_interrupted; round++) {
      int ret = show_once(&o);
      if (ret != PV_EXIT_OK)
         return ret;
      if (o.count && round >= o.count)
         break;
      nanosleep(&pause, NULL); /* a signal cuts it short */
   }
   return PV_EXIT_OK;
}

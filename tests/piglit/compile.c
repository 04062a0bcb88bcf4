/* SPDX-License-Identifier: MIT */
/* GLSL -> SPIR-V through glslangValidator (as VkRunner does), in a private temporary directory. */
#include "compile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const stage_flags[PV_STAGE_COUNT] = {"vert", "tesc", "tese", "geom", "frag"};

static bool
write_file(const char *path, const char *text)
{
   FILE *f = fopen(path, "w");
   if (!f)
      return false;
   bool ok = fputs(text, f) >= 0;
   return fclose(f) == 0 && ok;
}

/* Reads a whole file; NULL on error. */
static char *
read_file(const char *path, size_t *size)
{
   FILE *f = fopen(path, "rb");
   if (!f)
      return NULL;
   char *data = NULL;
   size_t n = 0, cap = 0, got;
   do {
      if (n == cap) {
         cap = cap ? cap * 2 : 65536;
         char *d = realloc(data, cap + 1);
         if (!d) {
            free(data);
            fclose(f);
            return NULL;
         }
         data = d;
      }
      got = fread(data + n, 1, cap - n, f);
      n += got;
   } while (got > 0);
   fclose(f);
   data[n] = '\0';
   *size = n;
   return data;
}

bool
pv_compile_glsl(enum pv_stage stage, const char *source, uint32_t **code, size_t *size, char *err,
                size_t err_size)
{
   const char *tmp = getenv("TMPDIR");
   char dir[512], src[600], spv[600], log[600];
   snprintf(dir, sizeof(dir), "%s/pv-shader-runner-XXXXXX", tmp && *tmp ? tmp : "/tmp");
   if (!mkdtemp(dir)) {
      snprintf(err, err_size, "mkdtemp %s: %s", dir, strerror(errno));
      return false;
   }
   snprintf(src, sizeof(src), "%s/shader.%s", dir, stage_flags[stage]);
   snprintf(spv, sizeof(spv), "%s/shader.spv", dir);
   snprintf(log, sizeof(log), "%s/glslang.log", dir);

   bool ok = false;
   if (!write_file(src, source)) {
      snprintf(err, err_size, "cannot write %s", src);
      goto out;
   }
   const char *glslang = getenv("PIGLIT_GLSLANG_VALIDATOR_BINARY");
   if (!glslang || !*glslang)
      glslang = "glslangValidator";
   pid_t pid = fork();
   if (pid < 0) {
      snprintf(err, err_size, "fork: %s", strerror(errno));
      goto out;
   }
   if (pid == 0) {
      int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
         dup2(fd, STDOUT_FILENO);
         dup2(fd, STDERR_FILENO);
      }
      execlp(glslang, glslang, "-V", "--target-env", "vulkan1.0", "-S", stage_flags[stage], "-o",
             spv, src, (char *)NULL);
      _exit(127);
   }
   int status = -1;
   while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
   if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      size_t n;
      char *text = read_file(log, &n);
      /* The last line that names an error is the useful part. */
      char *e = text ? strstr(text, "ERROR:") : NULL;
      snprintf(err, err_size, "%s failed for the %s shader (status %d)%s%.300s", glslang,
               stage_flags[stage], WIFEXITED(status) ? WEXITSTATUS(status) : -1, e ? ": " : "",
               e ? e : "");
      for (char *c = err; *c; c++) {
         if (*c == '\n')
            *c = ' ';
      }
      free(text);
      goto out;
   }
   char *data = read_file(spv, size);
   if (!data || *size == 0 || *size % 4) {
      free(data);
      snprintf(err, err_size, "no SPIR-V from %s", glslang);
      goto out;
   }
   *code = (uint32_t *)(void *)data;
   ok = true;
out:
   unlink(src);
   unlink(spv);
   unlink(log);
   rmdir(dir);
   return ok;
}

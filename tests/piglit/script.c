/* SPDX-License-Identifier: MIT */
/* Parser for the VkRunner shader_test subset described in script.h. */
#include "script.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The VkBool32 members of VkPhysicalDeviceFeatures, in declaration order. */
static const char *const feature_names[] = {
   "robustBufferAccess",
   "fullDrawIndexUint32",
   "imageCubeArray",
   "independentBlend",
   "geometryShader",
   "tessellationShader",
   "sampleRateShading",
   "dualSrcBlend",
   "logicOp",
   "multiDrawIndirect",
   "drawIndirectFirstInstance",
   "depthClamp",
   "depthBiasClamp",
   "fillModeNonSolid",
   "depthBounds",
   "wideLines",
   "largePoints",
   "alphaToOne",
   "multiViewport",
   "samplerAnisotropy",
   "textureCompressionETC2",
   "textureCompressionASTC_LDR",
   "textureCompressionBC",
   "occlusionQueryPrecise",
   "pipelineStatisticsQuery",
   "vertexPipelineStoresAndAtomics",
   "fragmentStoresAndAtomics",
   "shaderTessellationAndGeometryPointSize",
   "shaderImageGatherExtended",
   "shaderStorageImageExtendedFormats",
   "shaderStorageImageMultisample",
   "shaderStorageImageReadWithoutFormat",
   "shaderStorageImageWriteWithoutFormat",
   "shaderUniformBufferArrayDynamicIndexing",
   "shaderSampledImageArrayDynamicIndexing",
   "shaderStorageBufferArrayDynamicIndexing",
   "shaderStorageImageArrayDynamicIndexing",
   "shaderClipDistance",
   "shaderCullDistance",
   "shaderFloat64",
   "shaderInt64",
   "shaderInt16",
   "shaderResourceResidency",
   "shaderResourceMinLod",
   "sparseBinding",
   "sparseResidencyBuffer",
   "sparseResidencyImage2D",
   "sparseResidencyImage3D",
   "sparseResidency2Samples",
   "sparseResidency4Samples",
   "sparseResidency8Samples",
   "sparseResidency16Samples",
   "sparseResidencyAliased",
   "variableMultisampleRate",
   "inheritedQueries",
};
_Static_assert(ARRAY_SIZE(feature_names) == PV_FEATURE_COUNT, "feature table is incomplete");
_Static_assert(offsetof(VkPhysicalDeviceFeatures, geometryShader) == 4 * sizeof(VkBool32),
               "feature table order");
_Static_assert(offsetof(VkPhysicalDeviceFeatures, shaderFloat64) == 39 * sizeof(VkBool32),
               "feature table order");

const char *
pv_feature_name(unsigned i)
{
   return i < ARRAY_SIZE(feature_names) ? feature_names[i] : "?";
}

int
pv_feature_index(const char *name)
{
   for (unsigned i = 0; i < ARRAY_SIZE(feature_names); i++) {
      if (strcmp(name, feature_names[i]) == 0)
         return (int)i;
   }
   return -1;
}

static const struct {
   const char *name;
   VkPrimitiveTopology topology;
} topologies[] = {
   {"POINT_LIST", VK_PRIMITIVE_TOPOLOGY_POINT_LIST},
   {"LINE_LIST", VK_PRIMITIVE_TOPOLOGY_LINE_LIST},
   {"LINE_STRIP", VK_PRIMITIVE_TOPOLOGY_LINE_STRIP},
   {"TRIANGLE_LIST", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST},
   {"TRIANGLE_STRIP", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP},
   {"TRIANGLE_FAN", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_FAN},
   {"LINE_LIST_WITH_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_LINE_LIST_WITH_ADJACENCY},
   {"LINE_STRIP_WITH_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_LINE_STRIP_WITH_ADJACENCY},
   {"TRIANGLE_LIST_WITH_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST_WITH_ADJACENCY},
   {"TRIANGLE_STRIP_WITH_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP_WITH_ADJACENCY},
   {"PATCH_LIST", VK_PRIMITIVE_TOPOLOGY_PATCH_LIST},
   {"GL_POINTS", VK_PRIMITIVE_TOPOLOGY_POINT_LIST},
   {"GL_LINES", VK_PRIMITIVE_TOPOLOGY_LINE_LIST},
   {"GL_LINE_STRIP", VK_PRIMITIVE_TOPOLOGY_LINE_STRIP},
   {"GL_TRIANGLES", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST},
   {"GL_TRIANGLE_STRIP", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP},
   {"GL_TRIANGLE_FAN", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_FAN},
   {"GL_LINES_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_LINE_LIST_WITH_ADJACENCY},
   {"GL_LINE_STRIP_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_LINE_STRIP_WITH_ADJACENCY},
   {"GL_TRIANGLES_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST_WITH_ADJACENCY},
   {"GL_TRIANGLE_STRIP_ADJACENCY", VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP_WITH_ADJACENCY},
   {"GL_PATCHES", VK_PRIMITIVE_TOPOLOGY_PATCH_LIST},
};

static const struct {
   const char *name;
   VkFormat format;
} formats[] = {
   {"B8G8R8A8_UNORM", VK_FORMAT_B8G8R8A8_UNORM},
   {"R8G8B8A8_UNORM", VK_FORMAT_R8G8B8A8_UNORM},
};

static const struct {
   const char *name;
   enum pv_stage stage;
} stage_sections[] = {
   {"vertex shader", PV_STAGE_VERTEX},
   {"tessellation control shader", PV_STAGE_TESS_CTRL},
   {"tessellation evaluation shader", PV_STAGE_TESS_EVAL},
   {"geometry shader", PV_STAGE_GEOMETRY},
   {"fragment shader", PV_STAGE_FRAGMENT},
};

enum section { SEC_NONE, SEC_COMMENT, SEC_REQUIRE, SEC_SHADER, SEC_PASSTHROUGH, SEC_TEST };

struct parser {
   struct pv_script *s;
   const char *path;
   int line;
   char *err;
   size_t err_size;
   double tolerance[4];
   bool tolerance_percent;
   float window[2];
};

__attribute__((format(printf, 2, 3))) static bool
error(struct parser *p, const char *fmt, ...)
{
   va_list ap;
   int n = snprintf(p->err, p->err_size, "%s:%d: ", p->path, p->line);
   va_start(ap, fmt);
   if (n >= 0 && (size_t)n < p->err_size)
      vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
   va_end(ap);
   return false;
}

/* Splits `line` in place into whitespace-separated words; returns their number. Commas and
 * parentheses count as whitespace (the probe command's "(x, y) (r, g, b)"). */
static int
split(char *line, char **words, int max)
{
   int n = 0;
   for (char *c = line; *c; c++) {
      if (*c == ',' || *c == '(' || *c == ')')
         *c = ' ';
   }
   for (char *tok = strtok(line, " \t"); tok && n < max; tok = strtok(NULL, " \t"))
      words[n++] = tok;
   return n;
}

static bool
parse_double(struct parser *p, const char *word, double *out)
{
   char *end;
   errno = 0;
   *out = strtod(word, &end);
   if (errno || end == word || *end)
      return error(p, "not a number: '%s'", word);
   return true;
}

static bool
parse_u32(struct parser *p, const char *word, uint32_t *out)
{
   char *end;
   errno = 0;
   unsigned long v = strtoul(word, &end, 0);
   if (errno || end == word || *end || v > UINT32_MAX)
      return error(p, "not an unsigned integer: '%s'", word);
   *out = (uint32_t)v;
   return true;
}

static struct pv_command *
add_command(struct parser *p, enum pv_op op)
{
   struct pv_script *s = p->s;
   struct pv_command *c = realloc(s->commands, (s->n_commands + 1) * sizeof(*c));
   if (!c) {
      error(p, "out of memory");
      return NULL;
   }
   s->commands = c;
   c = &s->commands[s->n_commands++];
   memset(c, 0, sizeof(*c));
   c->op = op;
   c->line = p->line;
   return c;
}

static bool
parse_require(struct parser *p, char **w, int n)
{
   if (n == 2 && strcmp(w[0], "framebuffer") == 0) {
      for (unsigned i = 0; i < ARRAY_SIZE(formats); i++) {
         if (strcmp(w[1], formats[i].name) == 0) {
            p->s->format = formats[i].format;
            return true;
         }
      }
      return error(p, "unsupported framebuffer format %s", w[1]);
   }
   int f = n == 1 ? pv_feature_index(w[0]) : -1;
   if (f < 0)
      return error(p, "unsupported requirement '%s'", w[0]);
   p->s->required[f] = true;
   return true;
}

/* ubo|ssbo [SET:]BINDING subdata TYPE OFFSET VALUES... */
static bool
parse_subdata(struct parser *p, char **w, int n)
{
   struct pv_script *s = p->s;
   uint32_t set = 0, binding, offset;
   char *colon = strchr(w[1], ':');
   if (colon) {
      *colon = '\0';
      if (!parse_u32(p, w[1], &set))
         return false;
      w[1] = colon + 1;
   }
   if (n < 6 || strcmp(w[2], "subdata") != 0)
      return error(p, "expected '%s BINDING subdata TYPE OFFSET VALUES...'", w[0]);
   if (!parse_u32(p, w[1], &binding) || !parse_u32(p, w[4], &offset))
      return false;

   /* TYPE: int, uint, float, double or [i|u|d]vecN; values are packed tightly. */
   const char *type = w[3];
   const char *vec = strstr(type, "vec");
   char base;
   if (strcmp(type, "int") == 0 || strcmp(type, "uint") == 0 || strcmp(type, "float") == 0 ||
       strcmp(type, "double") == 0)
      base = type[0];
   else if (vec && strlen(vec) == 4 && vec[3] >= '2' && vec[3] <= '4' &&
            (vec == type || (vec == type + 1 && strchr("iud", type[0]))))
      base = vec == type ? 'f' : type[0];
   else
      return error(p, "unsupported data type %s", type);

   VkDescriptorType dtype =
      w[0][0] == 'u' ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
   struct pv_command *c = add_command(p, PV_OP_BUFFER_SUBDATA);
   if (!c)
      return false;
   uint32_t size = 0;
   for (int i = 5; i < n; i++) {
      double v;
      if (!parse_double(p, w[i], &v))
         return false;
      uint32_t elem = base == 'd' ? 8 : 4;
      if (size + elem > sizeof(c->u.subdata.data))
         return error(p, "too much data");
      uint8_t *dst = c->u.subdata.data + size;
      if (base == 'd') {
         memcpy(dst, &v, 8);
      } else if (base == 'f') {
         float f = (float)v;
         memcpy(dst, &f, 4);
      } else if (base == 'i') {
         int32_t x = (int32_t)v;
         memcpy(dst, &x, 4);
      } else {
         uint32_t x = (uint32_t)v;
         memcpy(dst, &x, 4);
      }
      size += elem;
   }

   unsigned b;
   for (b = 0; b < s->n_buffers; b++) {
      if (s->buffers[b].set == set && s->buffers[b].binding == binding)
         break;
   }
   if (b == s->n_buffers) {
      if (b == PV_MAX_BUFFERS)
         return error(p, "too many buffers");
      s->buffers[b] = (struct pv_buffer_decl){.set = set, .binding = binding, .type = dtype};
      s->n_buffers++;
   } else if (s->buffers[b].type != dtype) {
      return error(p, "binding %u used as both ubo and ssbo", binding);
   }
   if (offset + size > s->buffers[b].size)
      s->buffers[b].size = offset + size;
   c->u.subdata.buffer = b;
   c->u.subdata.offset = offset;
   c->u.subdata.size = size;
   return true;
}

/* [relative] probe [rect] rgb|rgba (X, Y[, W, H]) (R, G, B[, A]), probe all rgb|rgba R G B [A] */
static bool
parse_probe(struct parser *p, char **w, int n)
{
   int i = 0;
   bool relative = false, rect = false, all = false;
   if (strcmp(w[i], "relative") == 0) {
      relative = true;
      i++;
   }
   i++; /* "probe" */
   if (i < n && strcmp(w[i], "rect") == 0) {
      rect = true;
      i++;
   } else if (i < n && strcmp(w[i], "all") == 0 && !relative) {
      all = true;
      i++;
   }
   if (i >= n || (strcmp(w[i], "rgb") != 0 && strcmp(w[i], "rgba") != 0))
      return error(p, "expected rgb or rgba in the probe command");
   int nc = strcmp(w[i++], "rgb") == 0 ? 3 : 4;
   int npos = all ? 0 : rect ? 4 : 2;
   if (n - i != npos + nc)
      return error(p, "expected %d numbers in the probe command", npos + nc);
   double pos[4] = {0, 0, 1, 1};
   struct pv_command *c = add_command(p, PV_OP_PROBE);
   if (!c)
      return false;
   for (int k = 0; k < npos; k++) {
      if (!parse_double(p, w[i++], &pos[k]))
         return false;
   }
   if (relative) {
      pos[0] *= p->window[0];
      pos[1] *= p->window[1];
      if (rect) {
         pos[2] *= p->window[0];
         pos[3] *= p->window[1];
      }
   }
   if (all) {
      pos[2] = p->window[0];
      pos[3] = p->window[1];
   }
   for (int k = 0; k < nc; k++) {
      if (!parse_double(p, w[i++], &c->u.probe.color[k]))
         return false;
   }
   c->u.probe.x = (int)pos[0];
   c->u.probe.y = (int)pos[1];
   c->u.probe.w = (int)pos[2];
   c->u.probe.h = (int)pos[3];
   if (c->u.probe.x < 0 || c->u.probe.y < 0 || c->u.probe.w < 0 || c->u.probe.h < 0 ||
       c->u.probe.x + c->u.probe.w > (int)p->window[0] ||
       c->u.probe.y + c->u.probe.h > (int)p->window[1])
      return error(p, "probe outside the framebuffer");
   c->u.probe.n_components = nc;
   memcpy(c->u.probe.tolerance, p->tolerance, sizeof(p->tolerance));
   c->u.probe.percent = p->tolerance_percent;
   return true;
}

static bool
parse_test(struct parser *p, char **w, int n)
{
   struct pv_command *c;
   if (n == 1 && strcmp(w[0], "clear") == 0)
      return add_command(p, PV_OP_CLEAR) != NULL;
   if (n == 6 && strcmp(w[0], "clear") == 0 && strcmp(w[1], "color") == 0) {
      if (!(c = add_command(p, PV_OP_CLEAR_COLOR)))
         return false;
      for (int i = 0; i < 4; i++) {
         double v;
         if (!parse_double(p, w[2 + i], &v))
            return false;
         c->u.color[i] = (float)v;
      }
      return true;
   }
   if (n >= 2 && strcmp(w[0], "draw") == 0 && strcmp(w[1], "rect") == 0) {
      bool ortho = n == 7 && strcmp(w[2], "ortho") == 0;
      if (n != 6 + ortho)
         return error(p, "expected 'draw rect [ortho] X Y W H'");
      double v[4];
      for (int i = 0; i < 4; i++) {
         if (!parse_double(p, w[2 + ortho + i], &v[i]))
            return false;
      }
      if (ortho) {
         v[0] = v[0] * 2.0 / p->window[0] - 1.0;
         v[1] = v[1] * 2.0 / p->window[1] - 1.0;
         v[2] *= 2.0 / p->window[0];
         v[3] *= 2.0 / p->window[1];
      }
      if (!(c = add_command(p, PV_OP_DRAW_RECT)))
         return false;
      c->u.rect.x = (float)v[0];
      c->u.rect.y = (float)v[1];
      c->u.rect.w = (float)v[2];
      c->u.rect.h = (float)v[3];
      return true;
   }
   if (n >= 2 && strcmp(w[0], "draw") == 0 && strcmp(w[1], "arrays") == 0) {
      int i = 2;
      bool instanced = i < n && strcmp(w[i], "instanced") == 0;
      i += instanced;
      if (n - i != 3 + instanced)
         return error(p, "expected 'draw arrays [instanced] TOPOLOGY FIRST COUNT [INSTANCES]'");
      if (!(c = add_command(p, PV_OP_DRAW_ARRAYS)))
         return false;
      unsigned t;
      for (t = 0; t < ARRAY_SIZE(topologies); t++) {
         if (strcmp(w[i], topologies[t].name) == 0)
            break;
      }
      if (t == ARRAY_SIZE(topologies))
         return error(p, "unknown topology %s", w[i]);
      c->u.draw.topology = topologies[t].topology;
      c->u.draw.instances = 1;
      return parse_u32(p, w[i + 1], &c->u.draw.first) && parse_u32(p, w[i + 2], &c->u.draw.count) &&
             (!instanced || parse_u32(p, w[i + 3], &c->u.draw.instances));
   }
   if (n >= 2 && (strcmp(w[0], "ubo") == 0 || strcmp(w[0], "ssbo") == 0))
      return parse_subdata(p, w, n);
   if (strcmp(w[0], "tolerance") == 0) {
      bool percent = n > 1 && strcmp(w[n - 1], "%") == 0;
      int nv = n - 1 - percent;
      if (nv != 1 && nv != 4)
         return error(p, "expected 'tolerance T [T T T] [%%]'");
      for (int i = 0; i < 4; i++) {
         if (!parse_double(p, w[1 + (nv == 1 ? 0 : i)], &p->tolerance[i]))
            return false;
      }
      p->tolerance_percent = percent;
      return true;
   }
   if (strcmp(w[0], "probe") == 0 || strcmp(w[0], "relative") == 0)
      return parse_probe(p, w, n);
   return error(p, "unsupported test command '%s'", w[0]);
}

static bool
append_source(struct parser *p, char **dst, const char *line)
{
   size_t old = *dst ? strlen(*dst) : 0, add = strlen(line);
   char *s = realloc(*dst, old + add + 2);
   if (!s)
      return error(p, "out of memory");
   memcpy(s + old, line, add);
   s[old + add] = '\n';
   s[old + add + 1] = '\0';
   *dst = s;
   return true;
}

bool
pv_script_load(struct pv_script *s, const char *path, char *err, size_t err_size)
{
   memset(s, 0, sizeof(*s));
   s->format = VK_FORMAT_B8G8R8A8_UNORM;
   s->width = s->height = 250;
   struct parser p = {.s = s,
                      .path = path,
                      .err = err,
                      .err_size = err_size,
                      .tolerance = {0.01, 0.01, 0.01, 0.01},
                      .window = {250, 250}};
   FILE *f = fopen(path, "r");
   if (!f)
      return error(&p, "cannot open: %s", strerror(errno));

   enum section sec = SEC_NONE;
   enum pv_stage stage = PV_STAGE_VERTEX;
   char buf[4096];
   bool ok = true;
   while (ok && fgets(buf, sizeof(buf), f)) {
      p.line++;
      size_t len = strlen(buf);
      while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
         buf[--len] = '\0';
      if (buf[0] == '[') {
         char *end = strchr(buf, ']');
         if (!end) {
            ok = error(&p, "bad section header");
            break;
         }
         *end = '\0';
         const char *name = buf + 1;
         if (strcmp(name, "require") == 0) {
            sec = SEC_REQUIRE;
         } else if (strcmp(name, "test") == 0) {
            sec = SEC_TEST;
         } else if (strcmp(name, "comment") == 0) {
            sec = SEC_COMMENT;
         } else if (strcmp(name, "vertex shader passthrough") == 0) {
            sec = SEC_PASSTHROUGH;
            s->passthrough_vertex = true;
         } else {
            sec = SEC_NONE;
            for (unsigned i = 0; i < ARRAY_SIZE(stage_sections); i++) {
               if (strcmp(name, stage_sections[i].name) == 0) {
                  sec = SEC_SHADER;
                  stage = stage_sections[i].stage;
               }
            }
            if (sec == SEC_NONE)
               ok = error(&p, "unsupported section [%s]", name);
            else if (s->source[stage])
               ok = error(&p, "more than one [%s] section", name);
         }
         if (ok && s->passthrough_vertex && s->source[PV_STAGE_VERTEX])
            ok = error(&p, "both [vertex shader] and [vertex shader passthrough]");
         continue;
      }
      if (sec == SEC_SHADER) {
         ok = append_source(&p, &s->source[stage], buf);
         continue;
      }
      if (sec == SEC_COMMENT)
         continue;
      char *hash = strchr(buf, '#');
      if (hash)
         *hash = '\0';
      char *w[40];
      int n = split(buf, w, (int)ARRAY_SIZE(w));
      if (n == 0)
         continue;
      if (n == (int)ARRAY_SIZE(w))
         ok = error(&p, "line too long");
      else if (sec == SEC_REQUIRE)
         ok = parse_require(&p, w, n);
      else if (sec == SEC_TEST)
         ok = parse_test(&p, w, n);
      else
         ok = error(&p, "text outside any section");
   }
   fclose(f);
   if (ok && !s->passthrough_vertex && !s->source[PV_STAGE_VERTEX] && s->n_commands) {
      for (size_t i = 0; i < s->n_commands; i++) {
         if (s->commands[i].op == PV_OP_DRAW_RECT || s->commands[i].op == PV_OP_DRAW_ARRAYS) {
            p.line = s->commands[i].line;
            ok = error(&p, "a draw without a vertex shader");
            break;
         }
      }
   }
   if (!ok)
      pv_script_free(s);
   return ok;
}

void
pv_script_free(struct pv_script *s)
{
   for (int i = 0; i < PV_STAGE_COUNT; i++)
      free(s->source[i]);
   free(s->commands);
   memset(s, 0, sizeof(*s));
}

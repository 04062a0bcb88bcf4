/* SPDX-License-Identifier: MIT */
/* Reading the library path out of ICD manifests for the server's driver preload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vtest/driver_preload.h"

static const char *
lib_of(const char *manifest, const char *json)
{
   static char out[256];
   return vtest_manifest_library(manifest, json, out, sizeof(out)) ? out : NULL;
}

static void
absolute_path_is_kept(void **state)
{
   (void)state;
   const char *json = "{\n \"file_format_version\" : \"1.0.0\",\n \"ICD\": {\n"
                      "  \"library_path\": \"/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so\",\n"
                      "  \"api_version\": \"1.3.230\"\n }\n}\n";
   assert_string_equal(lib_of("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json", json),
                       "/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so");
}

static void
relative_path_is_relative_to_the_manifest(void **state)
{
   (void)state;
   const char *json = "{\"ICD\":{\"library_path\" :\t\"../lib/libMoltenVK.dylib\"}}";
   assert_string_equal(lib_of("/opt/vk/icd.d/MoltenVK_icd.json", json),
                       "/opt/vk/icd.d/../lib/libMoltenVK.dylib");
}

static void
bare_name_goes_to_the_library_search(void **state)
{
   (void)state;
   const char *json = "{\"ICD\":{\"library_path\":\"libGLX_nvidia.so.0\"}}";
   assert_string_equal(lib_of("/usr/share/vulkan/icd.d/nvidia_icd.json", json),
                       "libGLX_nvidia.so.0");
}

static void
escapes_are_undone(void **state)
{
   (void)state;
   const char *json = "{\"ICD\":{\"library_path\":\"\\/opt\\/a\\\"b\\\\c.so\"}}";
   assert_string_equal(lib_of("m.json", json), "/opt/a\"b\\c.so");
}

static void
broken_manifests_name_nothing(void **state)
{
   (void)state;
   assert_null(lib_of("m.json", "{}"));
   assert_null(lib_of("m.json", "{\"ICD\":{\"library_path\":\"\"}}"));
   assert_null(lib_of("m.json", "{\"ICD\":{\"library_path\" \"x.so\"}}"));
   assert_null(lib_of("m.json", "{\"ICD\":{\"library_path\": 42}}"));
   assert_null(lib_of("m.json", "{\"ICD\":{\"library_path\": \"unterminated.so"));
}

static void
too_long_names_nothing(void **state)
{
   (void)state;
   char json[600];
   char name[400];
   memset(name, 'a', sizeof(name) - 1);
   name[sizeof(name) - 1] = '\0';
   snprintf(json, sizeof(json), "{\"ICD\":{\"library_path\":\"/%s.so\"}}", name);
   assert_null(lib_of("m.json", json)); /* longer than the caller's 256 bytes */
   snprintf(json, sizeof(json), "{\"ICD\":{\"library_path\":\"lib/%.200s.so\"}}", name);
   char dir[300];
   memset(dir, 'd', sizeof(dir) - 1);
   dir[0] = '/';
   dir[sizeof(dir) - 1] = '\0';
   char manifest[320];
   snprintf(manifest, sizeof(manifest), "%s/m.json", dir);
   assert_null(lib_of(manifest, json)); /* fits alone, not joined to the manifest's directory */
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(absolute_path_is_kept),
      cmocka_unit_test(relative_path_is_relative_to_the_manifest),
      cmocka_unit_test(bare_name_goes_to_the_library_search),
      cmocka_unit_test(escapes_are_undone),
      cmocka_unit_test(broken_manifests_name_nothing),
      cmocka_unit_test(too_long_names_nothing),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}

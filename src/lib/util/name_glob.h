/* Matching a -C glob against a struct name, qualified C++ names included. */
#ifndef SF_UTIL_NAME_GLOB_H
#define SF_UTIL_NAME_GLOB_H

#include <stdbool.h>

/*
 * True when the shell glob `glob` matches `name` (fnmatch, no flags), or
 * matches the tail of a qualified C++ name after one of its `::`
 * separators outside template arguments and parentheses: "Inner" and
 * "Outer::Inner" both match "ns::Outer::Inner", as C++ code names it from
 * inside the namespace; "Foo>" does not match "std::vector<ns::Foo>".
 */
bool sf__name_glob_match(const char *glob, const char *name);

#endif

/*
 * The HTML map's stylesheet and script, generated at configure time from
 * src/lib/emit/html/ (cmake/embed-assets.cmake) so the page ships inside
 * the library and needs no file at run time.  Each array ends in a NUL
 * that the length does not count.
 */
#ifndef SF_EMIT_HTML_ASSETS_H
#define SF_EMIT_HTML_ASSETS_H

#include <stddef.h>

extern const char sf__html_css[];
extern const size_t sf__html_css_len;
extern const char sf__html_js[];
extern const size_t sf__html_js_len;

#endif

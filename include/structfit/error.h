/* Error codes shared by every structfit library call. */
#ifndef STRUCTFIT_ERROR_H
#define STRUCTFIT_ERROR_H

#include <structfit/export.h>

#ifdef __cplusplus
extern "C" {
#endif
SF_API_BEGIN

/*
 * Every function that can fail returns 0 on success or one of these
 * negative codes.  After a failure, sf_error_last() holds one impersonal
 * line describing it, prefixed with the file name when one is involved
 * ("lib.a(x.o): truncated .debug_info").
 */
enum {
	SF_OK = 0,
	SF_ENOTFOUND = -1,    /* a file or a named struct does not exist */
	SF_EIO = -2,          /* reading or writing failed */
	SF_ENOTELF = -3,      /* input is not an ELF file or archive */
	SF_ENODEBUG = -4,     /* ELF without DWARF and no separate debug file */
	SF_EINVALID = -5,     /* corrupt or truncated ELF/DWARF */
	SF_EUNSUPPORTED = -6, /* valid input using something we do not handle */
	SF_ENOMEM = -7,       /* allocation failed or input asks for absurd sizes */
	SF_EUSAGE = -8        /* invalid option value passed by the caller */
};

/*
 * The message of the last failure on the calling thread.  Borrowed; valid
 * until the next failing call on the same thread.  Never NULL.
 */
const char *sf_error_last(void);

/* A short constant name for a code ("no debug info", "corrupt input"). */
const char *sf_error_name(int code);

SF_API_END
#ifdef __cplusplus
}
#endif
#endif

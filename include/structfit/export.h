/* Which declarations libstructfit.so exports: those of the public headers, nothing else. */
#ifndef STRUCTFIT_EXPORT_H
#define STRUCTFIT_EXPORT_H

/*
 * The library is compiled with hidden visibility, so that its internals
 * (sf__ functions shared between its files) stay out of the shared library's
 * dynamic symbol table and calls between them need no PLT.  Every public
 * header puts its declarations between SF_API_BEGIN and SF_API_END, which
 * gives them default visibility: a function added to a public header is
 * exported without a per-declaration marker to forget.  For a program using
 * the library this is the visibility its declarations would have anyway (or
 * the right one, if the program itself builds with -fvisibility=hidden).
 */
#if defined(__GNUC__) && __GNUC__ >= 4
#define SF_API_BEGIN _Pragma("GCC visibility push(default)")
#define SF_API_END _Pragma("GCC visibility pop")
#else
#define SF_API_BEGIN
#define SF_API_END
#endif

#endif

/* Umbrella header: the whole public structfit API. */
#ifndef STRUCTFIT_H
#define STRUCTFIT_H

#define STRUCTFIT_VERSION "0.1.0"

#include <structfit/error.h>
#include <structfit/model.h>
#include <structfit/report.h>
#include <structfit/emit.h>
#include <structfit/reorder.h>
#include <structfit/gate.h>
#include <structfit/fix.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, which may differ from the header's. */
const char *sf_version(void);

#ifdef __cplusplus
}
#endif
#endif

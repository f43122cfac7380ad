/*
 * pxeinv version.
 */
#ifndef PXEINV_VERSION_H
#define PXEINV_VERSION_H

#ifndef PXEINV_VERSION
#define PXEINV_VERSION "0.1.0"
#endif

#endif /* PXEINV_VERSION_H */
